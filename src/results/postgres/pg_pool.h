// PgPool: at most `size` connections to one URL, shared by threads. Acquire() waits for a free
// slot, then reuses an idle connection or opens a new one; a lease gives its connection back on
// destruction, unless the connection broke, in which case it is dropped and the next Acquire()
// opens a fresh one (that is how the store recovers from a lost connection). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "results/postgres/pg_connection.h"

namespace pixfleet {

class PgPool {
 public:
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() const { return *conn_; }
    PgConnection* operator->() const { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // REQUIRES: size >= 1.
  PgPool(std::string url, int size, std::chrono::seconds connect_timeout);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;
  ~PgPool() = default;

  // Adds an already open connection to the idle set (e.g. the one used to check the schema).
  void AddIdle(std::unique_ptr<PgConnection> conn);

  // A connection for the calling thread; kUnavailable if a new one cannot be opened.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  const std::string url_;
  const int size_;
  const std::chrono::seconds connect_timeout_;
  std::mutex mutex_;
  std::condition_variable slot_free_;
  int in_use_ = 0;                                   // guarded by mutex_
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mutex_
};

}  // namespace pixfleet
