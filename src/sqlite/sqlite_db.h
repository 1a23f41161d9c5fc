// Thin RAII wrappers over the sqlite3 C API, shared by the SQLite queue and result store.
// Every failure becomes a Status (SqliteStatusCode): SQLITE_BUSY/LOCKED (another process holds
// the lock past the busy timeout) and I/O errors are kUnavailable (retry); a file system that
// refuses the database is kFailedPrecondition: SQLITE_FULL, SQLITE_READONLY*, SQLITE_PERM, an I/O
// error with ENOSPC, EDQUOT, EROFS, EACCES or EPERM underneath, and a database file that cannot
// be opened (every database here is opened to be written) unless for want of descriptors or
// memory; SQLITE_CORRUPT is kDataLoss; misuse and constraint violations are kInternal. A Database
// is used by one thread at a time; open one per thread or guard it with a mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/status.h"

namespace pixfleet::sqlite {

class Statement;

// The code of a failed sqlite3 call from its (extended) result code and the errno of the system
// call that failed underneath it (sqlite3_system_errno; 0 when none).
StatusCode SqliteStatusCode(int rc, int system_errno);

class Database {
 public:
  // Opens (creating if needed) the database at `path` in WAL mode with synchronous=NORMAL and
  // the given busy timeout, so that several processes can share it.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                std::chrono::milliseconds busy_timeout);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);

  // Compiles one statement.
  Result<Statement> Prepare(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  // Converts an sqlite3 result code into a Status (OK for SQLITE_OK/ROW/DONE).
  Status Check(int rc, std::string_view what) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// A prepared statement. Bind indexes are 1-based, column indexes 0-based (as in sqlite3).
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindNull(int index);

  // Advances: true if a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, for statements that return no rows.
  Status Run();
  // Clears bindings and rewinds, for reuse.
  void Reset();

  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class Database;
  Statement(const Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  const Database* db_;
  sqlite3_stmt* stmt_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed. IMMEDIATE takes the
// write lock up front so two writers never deadlock upgrading read locks.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace pixfleet::sqlite
