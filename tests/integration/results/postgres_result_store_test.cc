// PostgresResultStore against a real server, directly and through pgbouncer in transaction
// pooling mode: the shared ResultStore contract (result_store_contract.h), then what only
// PostgreSQL has: versioned migrations (idempotent, concurrent, refused when missing or newer),
// recovery from a lost connection, passwords kept out of messages, and rows/s of RecordResults
// in batches of 100. Every test works in its own fresh schema, dropped afterwards, so tests are
// independent and may run in parallel (ctest -j). Servers come from PIXFLEET_TEST_POSTGRES_URL
// and PIXFLEET_TEST_PGBOUNCER_URL; a test whose variable is unset is skipped.
#include "results/postgres/postgres_result_store.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/redact.h"
#include "results/postgres/pg_connection.h"
#include "results/postgres/pg_migrations.h"
#include "results/result_store_contract.h"
#include "testing/fake_clock.h"

namespace pixfleet {
namespace {

constexpr char kDirectEnv[] = "PIXFLEET_TEST_POSTGRES_URL";
constexpr char kBouncerEnv[] = "PIXFLEET_TEST_PGBOUNCER_URL";
constexpr std::chrono::seconds kConnectTimeout{5};

std::string EnvOrEmpty(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): no setenv here
  return value != nullptr ? value : "";
}

std::string SkipMessage(const char* env) {
  return std::string(env) +
         " is not set: run tools/services/up.sh, then `source build/services/env.sh`";
}

// A schema name no other test (in this or a parallel process) uses.
std::string UniqueSchema() {
  static std::atomic<int> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return "pixfleet_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count() %
                        1'000'000'000);
}

// `url` with a query parameter added.
std::string WithParam(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

// Runs a script on a fresh connection; fails the test on error.
void AdminExec(const std::string& url, const std::string& sql) {
  auto conn = PgConnection::Connect(url, kConnectTimeout);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const Status status = (*conn)->ExecScript(sql);
  ASSERT_TRUE(status.ok()) << status.ToString();
}

int64_t AdminCount(const std::string& url, const std::string& sql) {
  auto conn = PgConnection::Connect(url, kConnectTimeout);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return -1;
  auto rows = (*conn)->Exec(sql);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok() || rows->Rows() != 1) return -1;
  auto value = rows->Int(0, 0);
  return value.ok() ? *value : -1;
}

// A fresh schema at one server for one test; dropped on destruction.
class ScratchSchema {
 public:
  explicit ScratchSchema(std::string url) : url_(std::move(url)), name_(UniqueSchema()) {}
  ~ScratchSchema() { AdminExec(url_, "DROP SCHEMA IF EXISTS " + name_ + " CASCADE"); }
  ScratchSchema(const ScratchSchema&) = delete;
  ScratchSchema& operator=(const ScratchSchema&) = delete;

  const std::string& Name() const { return name_; }
  PostgresOptions Options(int pool_size = 1) const {
    PostgresOptions options;
    options.pool_size = pool_size;
    options.schema = name_;
    options.connect_timeout = kConnectTimeout;
    return options;
  }

 private:
  std::string url_;
  std::string name_;
};

// ---- The shared contract ------------------------------------------------------------------

class PostgresHarness final : public ResultStoreHarness {
 public:
  explicit PostgresHarness(const char* env) : env_(env), url_(EnvOrEmpty(env)) {}

  std::string SkipReason() override { return url_.empty() ? SkipMessage(env_) : ""; }

  Result<std::unique_ptr<ResultStore>> Open(Clock& clock) override {
    schema_ = std::make_unique<ScratchSchema>(url_);
    // Two connections, so that the concurrency test exercises the pool.
    const PostgresOptions options = schema_->Options(/*pool_size=*/2);
    PIXFLEET_RETURN_IF_ERROR(MigratePostgres(url_, options));
    PIXFLEET_ASSIGN_OR_RETURN(std::unique_ptr<PostgresResultStore> store,
                              PostgresResultStore::Open(url_, options, clock));
    return std::unique_ptr<ResultStore>(std::move(store));
  }

 private:
  const char* env_;
  std::string url_;
  std::unique_ptr<ScratchSchema> schema_;
};

INSTANTIATE_TEST_SUITE_P(
    Postgres, ResultStoreContractTest,
    ::testing::Values(
        ContractBackend{"direct", [] { return std::make_unique<PostgresHarness>(kDirectEnv); }},
        ContractBackend{"pgbouncer",
                        [] { return std::make_unique<PostgresHarness>(kBouncerEnv); }}),
    ContractBackendName);

// ---- PostgreSQL only ----------------------------------------------------------------------

struct Server {
  std::string name;
  const char* env;
  bool pooled;  // behind pgbouncer in transaction mode
};

void PrintTo(const Server& server, std::ostream* os) { *os << server.name; }

class PostgresResultStoreTest : public ::testing::TestWithParam<Server> {
 protected:
  void SetUp() override {
    url_ = EnvOrEmpty(GetParam().env);
    if (url_.empty()) GTEST_SKIP() << SkipMessage(GetParam().env);
    schema_ = std::make_unique<ScratchSchema>(url_);
  }

  int64_t MigrationRows() {
    return AdminCount(url_, "SELECT count(*) FROM " + schema_->Name() + ".schema_migrations");
  }

  // No message may hold a password of `url` (and so must equal its scrubbed self).
  static void ExpectNoPassword(const Status& status, const std::string& url) {
    EXPECT_EQ(ScrubSecrets(status.message(), url), status.message());
  }

  FakeClock clock_;
  std::string url_;
  std::unique_ptr<ScratchSchema> schema_;
};

TEST_P(PostgresResultStoreTest, OpenRefusesASchemaThatWasNotMigrated) {
  auto store = PostgresResultStore::Open(url_, schema_->Options(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.error().message().find("is at version 0"), std::string::npos)
      << store.error().message();
  EXPECT_NE(store.error().message().find("run `pixfleet db migrate`"), std::string::npos);
  ExpectNoPassword(store.error(), url_);
}

TEST_P(PostgresResultStoreTest, MigrationIsIdempotent) {
  for (int i = 0; i < 3; ++i) {
    const Status status = MigratePostgres(url_, schema_->Options());
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  EXPECT_EQ(MigrationRows(), kPostgresSchemaVersion);
  auto conn = PgConnection::Connect(url_, kConnectTimeout);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(*ReadPostgresSchemaVersion(**conn, schema_->Name()), kPostgresSchemaVersion);
  auto store = PostgresResultStore::Open(url_, schema_->Options(), clock_);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
}

TEST_P(PostgresResultStoreTest, ConcurrentMigrationsApplyEachVersionOnce) {
  constexpr int kMigrators = 4;
  std::vector<Status> statuses(kMigrators);
  std::vector<std::thread> threads;
  threads.reserve(kMigrators);
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back(
        [&, i] { statuses[static_cast<size_t>(i)] = MigratePostgres(url_, schema_->Options()); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : statuses) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(MigrationRows(), kPostgresSchemaVersion);
  EXPECT_TRUE(PostgresResultStore::Open(url_, schema_->Options(), clock_).ok());
}

TEST_P(PostgresResultStoreTest, ANewerSchemaIsRefused) {
  ASSERT_TRUE(MigratePostgres(url_, schema_->Options()).ok());
  AdminExec(url_, "INSERT INTO " + schema_->Name() + ".schema_migrations (version) VALUES (99)");
  auto store = PostgresResultStore::Open(url_, schema_->Options(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.error().message().find("version 99"), std::string::npos);
  const Status migrate = MigratePostgres(url_, schema_->Options());
  EXPECT_EQ(migrate.code(), StatusCode::kInvalidArgument) << migrate.ToString();
}

TEST_P(PostgresResultStoreTest, BadOptionsAreInvalidArgument) {
  PostgresOptions options = schema_->Options();
  options.pool_size = 0;
  EXPECT_EQ(PostgresResultStore::Open(url_, options, clock_).status().code(),
            StatusCode::kInvalidArgument);
  options = schema_->Options();
  options.schema = "Robert'); DROP TABLE students;--";
  EXPECT_EQ(PostgresResultStore::Open(url_, options, clock_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MigratePostgres(url_, options).code(), StatusCode::kInvalidArgument);
}

TEST_P(PostgresResultStoreTest, ALostConnectionIsUnavailableThenReplaced) {
  ASSERT_TRUE(MigratePostgres(url_, schema_->Options()).ok());
  // The store's sessions carry a unique application_name, so that only they are terminated.
  const std::string app = "pixfleet_kill_" + schema_->Name().substr(14);
  const std::string store_url = WithParam(url_, "application_name=" + app);
  auto opened = PostgresResultStore::Open(store_url, schema_->Options(), clock_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  PostgresResultStore& store = **opened;
  Batch batch;
  batch.id = "b1";
  batch.source_url = "file:///in";
  batch.output_url = "file:///out";
  ASSERT_TRUE(store.PutBatch(batch).ok());

  // Behind pgbouncer, terminate through the direct URL when there is one: a session through the
  // bouncer could be handed the very server connection to be killed.
  const std::string direct_url = EnvOrEmpty(kDirectEnv);
  const std::string& admin_url = direct_url.empty() ? url_ : direct_url;
  for (int round = 0; round < 2; ++round) {
    const int64_t killed =
        AdminCount(admin_url,
                   "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE application_name = '" +
                       app + "' AND pid <> pg_backend_pid()) AS t");
    if (!GetParam().pooled) {
      EXPECT_EQ(killed, 1) << "round " << round;
    } else if (!direct_url.empty()) {
      EXPECT_GE(killed, 1) << "round " << round;
    }
    // Directly, the store's session is gone: the next call says so, retryably. Behind
    // pgbouncer, the bouncer may notice first and hand out a fresh server connection.
    // Round 0 loses the connection under a read, round 1 under a write.
    const Status first = round == 0 ? store.GetBatch("b1").status() : store.PutBatch(batch);
    if (!GetParam().pooled) {
      EXPECT_EQ(first.code(), StatusCode::kUnavailable) << first.ToString();
      EXPECT_TRUE(first.IsRetryable());
    } else {
      EXPECT_TRUE(first.ok() || first.code() == StatusCode::kUnavailable) << first.ToString();
    }
    ExpectNoPassword(first, url_);
    std::cout << "[ info ] " << GetParam().name << " round " << round << ": terminated " << killed
              << " session(s); next call: " << first.ToString() << "\n";
    // The next call opens a new connection and works.
    auto again = store.GetBatch("b1");
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    ASSERT_TRUE(again->has_value());
    EXPECT_EQ((*again)->id, "b1");
  }
}

TEST_P(PostgresResultStoreTest, PasswordsNeverAppearInMessages) {
  constexpr std::string_view kSecret = "Sup3r-Secret-Pw";
  // A role that does not exist, with a password: the server refuses the connection.
  const size_t scheme_end = url_.find("://") + 3;
  const size_t at = url_.find('@', scheme_end);
  const size_t host_begin =
      at != std::string::npos && at < url_.find('/', scheme_end) ? at + 1 : scheme_end;
  const std::string bad_user_url = url_.substr(0, scheme_end) +
                                   "pixfleet_no_such_role:" + std::string(kSecret) + "@" +
                                   url_.substr(host_begin);
  const Status open = PostgresResultStore::Open(bad_user_url, schema_->Options(), clock_).status();
  const Status migrate = MigratePostgres(bad_user_url, schema_->Options());
  const Status bad_url = MigratePostgres(WithParam(bad_user_url, "sslmode=sometimes"));
  const Status bad_port =
      PostgresResultStore::Open("postgresql://u:" + std::string(kSecret) + "@h:port/x", {}, clock_)
          .status();
  for (const Status& status : {open, migrate, bad_url, bad_port}) {
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(status.message().find(kSecret), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find("Sup3r"), std::string::npos) << status.message();
  }
  EXPECT_EQ(open.code(), StatusCode::kInvalidArgument) << open.ToString();  // a refused login
  EXPECT_NE(open.message().find("pixfleet_no_such_role:****@"), std::string::npos)
      << open.message();
  EXPECT_EQ(bad_port.code(), StatusCode::kInvalidArgument) << bad_port.ToString();
  EXPECT_EQ(bad_url.code(), StatusCode::kInvalidArgument) << bad_url.ToString();
}

// TLS settings in the URL reach libpq untouched. Skipped if the server does not offer TLS.
TEST_P(PostgresResultStoreTest, SslModeRequireInTheUrlGivesATlsSession) {
  const std::string tls_url = WithParam(url_, "sslmode=require");
  auto conn = PgConnection::Connect(tls_url, kConnectTimeout);
  if (!conn.ok()) {
    ASSERT_EQ(conn.error().code(), StatusCode::kUnavailable) << conn.error().ToString();
    GTEST_SKIP() << "server offers no TLS: " << conn.error().message();
  }
  auto ssl = (*conn)->Exec("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  ASSERT_TRUE(ssl.ok()) << ssl.status().ToString();
  // Behind pgbouncer this is its own server connection's state; the client leg is what
  // sslmode=require protects, and the connection succeeding shows it was negotiated.
  if (!GetParam().pooled) {
    ASSERT_EQ(ssl->Rows(), 1);
    EXPECT_EQ(ssl->Text(0, 0), "t");
  }
  ASSERT_TRUE(MigratePostgres(tls_url, schema_->Options()).ok());
  auto store = PostgresResultStore::Open(tls_url, schema_->Options(), clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->ListBatches().ok());
}

// The test server's certificate is issued by the test CA (tools/services, PIXFLEET_TEST_CA_FILE):
// sslmode=verify-full checks chain and name against it, and refuses a bundle without it.
TEST_P(PostgresResultStoreTest, SslModeVerifyFullWithTheTestCa) {
  const std::string ca = EnvOrEmpty("PIXFLEET_TEST_CA_FILE");
  if (ca.empty()) GTEST_SKIP() << SkipMessage("PIXFLEET_TEST_CA_FILE");
  if (GetParam().pooled) GTEST_SKIP() << "the test pgbouncer offers clients no TLS";
  auto verified = PgConnection::Connect(WithParam(url_, "sslmode=verify-full&sslrootcert=" + ca),
                                        kConnectTimeout);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  auto ssl = (*verified)->Exec("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  ASSERT_TRUE(ssl.ok()) << ssl.status().ToString();
  ASSERT_EQ(ssl->Rows(), 1);
  EXPECT_EQ(ssl->Text(0, 0), "t");

  constexpr char kOtherBundle[] = "/etc/ssl/certs/ca-certificates.crt";
  if (!std::filesystem::exists(kOtherBundle)) return;
  auto refused = PgConnection::Connect(
      WithParam(url_, std::string("sslmode=verify-full&sslrootcert=") + kOtherBundle),
      kConnectTimeout);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("certificate verify failed"), std::string::npos)
      << refused.error().message();
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument) << "not worth retrying";
}

// 100 rows shaped like std3's (three outputs, every analysis), keys unique per (batch, row).
std::vector<TaskResult> PerfRows(int batch) {
  std::vector<TaskResult> rows;
  for (int i = 0; i < 100; ++i) {
    TaskResult row;
    row.input_key = "photos/" + std::to_string(batch) + "/" + std::to_string(i) + ".jpg";
    row.batch_id = "perf";
    row.task_id = MakeTaskId(row.batch_id, row.input_key);
    row.attempts = 1;
    row.input_bytes = 3'000'000;
    for (const char* name : {"large", "small", "square"}) {
      row.outputs.push_back({.name = name,
                             .key = std::string(name) + "/" + row.input_key,
                             .bytes = 100'000,
                             .width = 1600,
                             .height = 1200,
                             .format = "jpeg"});
    }
    row.analysis.width = 4000;
    row.analysis.height = 3000;
    row.analysis.format = "jpeg";
    row.analysis.orientation = 1;
    row.analysis.mean_colour = std::array<double, 3>{120.5, 98.25, 77.0};
    row.analysis.dhash = 0x0f1e2d3c4b5a6978u;
    row.finished_ms = 1000 + i;
    row.process_ms = 150;
    rows.push_back(std::move(row));
  }
  return rows;
}

// Prints rows/s of RecordResults in calls of 100 rows: one thread on one connection, then four
// threads on a pool of four. Not a pass/fail criterion, beyond every row arriving.
TEST_P(PostgresResultStoreTest, RecordResultsThroughputInBatchesOf100) {
  constexpr int kCalls = 100;
  ASSERT_TRUE(MigratePostgres(url_, schema_->Options()).ok());
  for (const int threads : {1, 4}) {
    AdminExec(url_, "TRUNCATE " + schema_->Name() + ".results");
    auto opened = PostgresResultStore::Open(url_, schema_->Options(threads), clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::vector<std::vector<TaskResult>> calls;
    calls.reserve(kCalls);
    for (int b = 0; b < kCalls; ++b) calls.push_back(PerfRows(b));
    std::atomic<int> next{0};
    std::atomic<int> errors{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    workers.reserve(static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (int b = next++; b < kCalls; b = next++) {
          if (!(*opened)->RecordResults(calls[static_cast<size_t>(b)]).ok()) ++errors;
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(errors.load(), 0);
    auto counts = (*opened)->CountResults("perf");
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->succeeded, kCalls * 100);
    const auto rows_per_second = static_cast<int64_t>(kCalls * 100 / seconds);
    std::cout << "[ perf ] " << GetParam().name << ": RecordResults of 100 rows, " << kCalls
              << " calls, " << threads << " thread(s), pool " << threads << ": " << rows_per_second
              << " rows/s\n";
    RecordProperty("rows_per_second_" + std::to_string(threads) + "_threads",
                   std::to_string(rows_per_second));
  }
}

INSTANTIATE_TEST_SUITE_P(Servers, PostgresResultStoreTest,
                         ::testing::Values(Server{"direct", kDirectEnv, false},
                                           Server{"pgbouncer", kBouncerEnv, true}),
                         [](const ::testing::TestParamInfo<Server>& server) {
                           return server.param.name;
                         });

}  // namespace
}  // namespace pixfleet
