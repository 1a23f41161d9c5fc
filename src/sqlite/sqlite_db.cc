#include "sqlite/sqlite_db.h"

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace pixfleet::sqlite {
namespace {

// The file system refuses to be written until an operator acts.
bool IsRefusal(int system_errno) {
  return system_errno == ENOSPC || system_errno == EDQUOT || system_errno == EROFS ||
         system_errno == EACCES || system_errno == EPERM;
}

// "message", plus the system's reason when SQLite's own message does not give it ("unable to
// open database file (Read-only file system)"). SQLITE_FULL carries no errno (SQLite clears it: a
// short write is "not a system error"), but pixfleet never caps a database's pages, so a full
// database is a full file system, said in the system's words like every other disk-full error.
std::string WithSystemReason(std::string message, int rc, int system_errno) {
  const int primary = rc & 0xFF;
  if (system_errno != 0 && (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR)) {
    message += " (" + std::generic_category().message(system_errno) + ")";
  } else if (primary == SQLITE_FULL) {
    message += " (" + std::generic_category().message(ENOSPC) + ")";
  }
  return message;
}

}  // namespace

StatusCode SqliteStatusCode(int rc, int system_errno) {
  switch (rc & 0xFF) {
    case SQLITE_FULL:      // the disk (or the database's max_page_count) is full
    case SQLITE_READONLY:  // a read-only file, folder or file system
    case SQLITE_PERM:
      return StatusCode::kFailedPrecondition;
    case SQLITE_IOERR:
      return IsRefusal(system_errno) ? StatusCode::kFailedPrecondition : StatusCode::kUnavailable;
    case SQLITE_CANTOPEN:
      // Out of descriptors or memory may pass; a missing, forbidden or read-only place will not.
      if (system_errno == EMFILE || system_errno == ENFILE || system_errno == ENOMEM ||
          system_errno == EINTR || system_errno == EAGAIN || system_errno == EIO) {
        return StatusCode::kUnavailable;
      }
      return StatusCode::kFailedPrecondition;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
      return StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    default:
      return StatusCode::kInternal;
  }
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 std::chrono::milliseconds busy_timeout) {
  sqlite3* handle = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    const int extended = handle != nullptr ? sqlite3_extended_errcode(handle) : rc;
    const int system_errno = handle != nullptr ? sqlite3_system_errno(handle) : 0;
    sqlite3_close(handle);
    return Status(SqliteStatusCode(extended, system_errno),
                  WithSystemReason("cannot open SQLite database " + path + ": " + message, extended,
                                   system_errno));
  }
  std::unique_ptr<Database> db(new Database(handle, path));
  sqlite3_busy_timeout(handle, static_cast<int>(busy_timeout.count()));
  // WAL lets readers proceed while one writer commits; NORMAL sync is durable across process
  // crashes (what leases guard against) without an fsync per commit.
  PIXFLEET_RETURN_IF_ERROR(
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::Check(int rc, std::string_view what) const {
  const int primary = rc & 0xFF;
  if (primary == SQLITE_OK || primary == SQLITE_ROW || primary == SQLITE_DONE) return {};
  const int system_errno = sqlite3_system_errno(db_);
  return {SqliteStatusCode(rc, system_errno),
          WithSystemReason(std::string(what) + " on " + path_ + ": " + sqlite3_errmsg(db_), rc,
                           system_errno)};
}

Status Database::Exec(std::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  return Check(rc, "exec");
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Check(rc, "prepare");
  }
  return Statement(this, stmt);
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Check(rc, "step");
}

Status Statement::Run() {
  while (true) {
    PIXFLEET_ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return {};
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(size)};
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<Transaction> Transaction::Begin(Database& db) {
  PIXFLEET_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  Database* db = std::exchange(db_, nullptr);
  Status status = db->Exec("COMMIT");
  if (!status.ok()) (void)db->Exec("ROLLBACK");
  return status;
}

}  // namespace pixfleet::sqlite
