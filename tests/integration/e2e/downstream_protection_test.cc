// Downstream protection (harness: distributed_harness.h): 200 `pixfleet worker` processes,
// each holding its own connection to pgbouncer (transaction pooling), never raise PostgreSQL's
// backend connections above pgbouncer's pool size. The pool size is read from pgbouncer itself
// (SHOW CONFIG on its admin console: default_pool_size + reserve_pool_size). A monitor, connected
// directly to PostgreSQL, samples pg_stat_activity every 50 ms while the workers start, drain a
// batch of tiny images with a one-thumbnail recipe, and stop: client backends on the test
// database, leaving out the monitor's and the fixture's own direct connections (told apart by
// application_name). pgbouncer's SHOW POOLS shows that the 200 workers really were its clients at
// the same time, and that some of them had to wait for a server connection (the pool was
// contested, so the limit was really tested). Each worker is ~55 MB resident, much of it shared
// (libraries, code): the machine's used memory rose by under 2 GB here with all 200 running.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "tests/integration/e2e/distributed_harness.h"

namespace pixfleet::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kWorkers = 200;
constexpr int kInputs = 600;
constexpr const char* kMonitorApplicationName = "pixfleet-e2e-monitor";

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;

// A libpq connection, or null after a test failure saying why.
PgConnPtr Connect(const std::string& conninfo) {
  PgConnPtr conn(PQconnectdb(conninfo.c_str()));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to " << conninfo << ": "
                  << (conn == nullptr ? "out of memory" : PQerrorMessage(conn.get()));
    return nullptr;
  }
  return conn;
}

// Runs a simple query (the only protocol pgbouncer's admin console speaks); returns its rows as
// column name -> text, or nothing after a test failure.
std::vector<std::map<std::string, std::string>> Query(PGconn* conn, const std::string& sql) {
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn, sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQerrorMessage(conn);
    return {};
  }
  std::vector<std::map<std::string, std::string>> rows;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(result.get()); ++c) {
      row[PQfname(result.get(), c)] = PQgetvalue(result.get(), r, c);
    }
  }
  return rows;
}

// `url` with `key=value` added to its query string.
std::string WithParameter(const std::string& url, const std::string& key,
                          const std::string& value) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + key + "=" + value;
}

// `postgresql://.../db` with another database name (no query string expected).
std::string WithDatabase(const std::string& url, const std::string& database) {
  return url.substr(0, url.rfind('/') + 1) + database;
}

using DownstreamProtectionTest = DistributedTest;

TEST_F(DownstreamProtectionTest, TwoHundredWorkersStayWithinPgbouncersPool) {
  const std::string database =
      Env("PIXFLEET_TEST_POSTGRES_URL").substr(Env("PIXFLEET_TEST_POSTGRES_URL").rfind('/') + 1);
  PgConnPtr admin = Connect(WithDatabase(db_url_, "pgbouncer"));
  ASSERT_NE(admin, nullptr);
  std::map<std::string, std::string> config;
  for (const auto& row : Query(admin.get(), "SHOW CONFIG")) config[row.at("key")] = row.at("value");
  ASSERT_EQ(config["pool_mode"], "transaction");
  const int pool_size = std::atoi(config["default_pool_size"].c_str()) +
                        std::atoi(config["reserve_pool_size"].c_str());
  ASSERT_GT(pool_size, 0);
  ASSERT_LT(pool_size, kWorkers) << "a pool this large would prove nothing";

  // The monitor: direct to PostgreSQL, in a thread of its own.
  PgConnPtr monitor = Connect(WithParameter(Env("PIXFLEET_TEST_POSTGRES_URL"), "application_name",
                                            kMonitorApplicationName));
  ASSERT_NE(monitor, nullptr);
  const std::string count_backends =
      "SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' "
      "AND datname = current_database() AND pid <> pg_backend_pid() "
      "AND application_name NOT IN ('" +
      std::string(kMonitorApplicationName) + "', '" + kChecksApplicationName + "')";
  std::atomic<bool> stop_sampling{false};
  std::atomic<int> max_backends{0};
  std::atomic<int> max_clients{0};
  std::atomic<int> max_waiting{0};
  std::atomic<int> samples{0};
  std::thread sampler([&] {
    while (!stop_sampling) {
      for (const auto& row : Query(monitor.get(), count_backends)) {
        max_backends = std::max(max_backends.load(), std::atoi(row.at("n").c_str()));
      }
      for (const auto& row : Query(admin.get(), "SHOW POOLS")) {
        if (row.at("database") != database) continue;
        const int waiting = std::atoi(row.at("cl_waiting").c_str());
        max_clients =
            std::max(max_clients.load(), std::atoi(row.at("cl_active").c_str()) + waiting);
        max_waiting = std::max(max_waiting.load(), waiting);
      }
      ++samples;
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  // Stops the sampler however the test ends (an ASSERT returns early).
  struct JoinOnExit {
    std::atomic<bool>& stop;
    std::thread& thread;
    JoinOnExit(std::atomic<bool>& flag, std::thread& sampler) : stop(flag), thread(sampler) {}
    ~JoinOnExit() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
    JoinOnExit(const JoinOnExit&) = delete;
    JoinOnExit& operator=(const JoinOnExit&) = delete;
  } join_sampler{stop_sampling, sampler};

  // The workers start on an empty queue and wait; the batch is submitted once they are all
  // pgbouncer's clients, so that all 200 compete for the database.
  const auto started = SteadyClock::now();
  const auto deadline = started + seconds(180);
  for (int i = 0; i < kWorkers; ++i) StartWorker({"--concurrency", "1"});
  bool died = false;
  while (max_clients < kWorkers && SteadyClock::now() < deadline && !died) {
    died = std::any_of(workers_.begin(), workers_.end(),
                       [](const auto& worker) { return HasExited(worker->Pid()); });
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_FALSE(died) << "a worker exited during start-up";
  EXPECT_GE(max_clients, kWorkers) << "the workers did not all connect to pgbouncer";
  const double connected_s = SecondsSince(started);

  const std::vector<Input> inputs = WriteTinyInputs(source_, kInputs);
  ASSERT_EQ(inputs.size(), static_cast<size_t>(kInputs));
  const std::string recipe = (dir_.path() / "thumb.yaml").string();
  WriteFileForTest(recipe, R"(name: thumb
outputs:
  - name: thumb
    ops:
      - resize: {fit: inside, width: 16, height: 16}
    format: jpeg
    quality: 70
analyses: [width, height, orientation]
)");
  const auto submitted = SteadyClock::now();
  const std::string batch = Submit(inputs.size(), recipe);
  ASSERT_FALSE(batch.empty());
  while (FinishedRows(batch) < kInputs && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  const double drained_s = SecondsSince(submitted);
  for (auto& worker : workers_) worker->Signal(SIGTERM);
  ExpectWorkersExitCleanly(deadline);
  stop_sampling = true;
  sampler.join();

  std::cout << "[ info ] " << kWorkers << " workers connected to pgbouncer in " << connected_s
            << " s (max " << max_clients << " clients, " << max_waiting
            << " of them waiting for a server connection at once), drained " << kInputs
            << " tasks in " << drained_s << " s; PostgreSQL client backends: max " << max_backends
            << " over " << samples << " samples (pool size " << pool_size << ")\n";
  EXPECT_LE(max_backends, pool_size);
  EXPECT_GT(max_backends, 0) << "the monitor saw no backend at all: is it counting the right ones?";
  // Clients queued in pgbouncer: more demand than the pool, so the limit was really tested.
  EXPECT_GT(max_waiting, 0) << "the pool was never contested";
  EXPECT_GT(samples, 20);
  ExpectEveryInputDoneOnce(batch, inputs, {.outputs_per_input = 1, .failed_keys = {}});
  ExpectStatusAllDone(batch, inputs.size());
}

}  // namespace
}  // namespace pixfleet::e2e
