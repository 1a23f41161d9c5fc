// PgPool: see the header. Connections are opened outside the mutex so that a slow connect does
// not block threads returning or reusing other connections.
#include "results/postgres/pg_pool.h"

#include <cassert>
#include <utility>

namespace pixfleet {

PgPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

PgPool::PgPool(std::string url, int size, std::chrono::seconds connect_timeout)
    : url_(std::move(url)), size_(size), connect_timeout_(connect_timeout) {
  assert(size_ >= 1);
}

void PgPool::AddIdle(std::unique_ptr<PgConnection> conn) {
  std::lock_guard lock(mutex_);
  if (static_cast<int>(idle_.size()) < size_) idle_.push_back(std::move(conn));
}

Result<PgPool::Lease> PgPool::Acquire() {
  {
    std::unique_lock lock(mutex_);
    slot_free_.wait(lock, [this] { return in_use_ < size_; });
    ++in_use_;
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  auto conn = PgConnection::Connect(url_, connect_timeout_);
  if (!conn.ok()) {
    std::lock_guard lock(mutex_);
    --in_use_;
    slot_free_.notify_one();
    return conn.error();
  }
  return Lease(this, std::move(conn).value());
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  std::unique_ptr<PgConnection> dropped;  // closed outside the mutex
  {
    std::lock_guard lock(mutex_);
    --in_use_;
    if (conn->Broken()) {
      dropped = std::move(conn);
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  slot_free_.notify_one();
}

}  // namespace pixfleet
