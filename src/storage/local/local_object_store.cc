// LocalObjectStore: see the header for the contract. All file-system calls use POSIX calls or
// the error_code overloads of std::filesystem, so nothing here throws.
#include "storage/local/local_object_store.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <random>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/local/errno_status.h"
#include "storage/local/unique_fd.h"
#include "storage/write_probe.h"

namespace pixfleet {
namespace {

namespace fs = std::filesystem;

constexpr size_t kReadChunk = 1 << 16;
constexpr int kTempNameAttempts = 16;

// Rejects key segments starting with '.', which the local store reserves (see the header).
Status CheckNoDotSegment(std::string_view key) {
  size_t start = 0;
  while (start < key.size()) {
    if (key[start] == '.') {
      return InvalidArgument("invalid object key \"" + std::string(key) +
                             "\" for a local store: segments starting with '.' are reserved for "
                             "temp and state files");
    }
    const size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

// A List prefix need not be a whole key ("a/b" matches "a/bc.jpg", "" matches everything), but
// its complete segments are folder names, so they get the key rules: nothing may lead outside
// the root.
Status ValidateListPrefix(std::string_view prefix) {
  if (prefix.find('\\') != std::string_view::npos || prefix.find('\0') != std::string_view::npos) {
    return InvalidArgument("invalid list prefix \"" + std::string(prefix) +
                           "\": backslash and NUL are not allowed");
  }
  const size_t slash = prefix.rfind('/');
  if (slash == std::string_view::npos) return Status::Ok();
  const Status status = ValidateObjectKey(prefix.substr(0, slash));
  if (!status.ok()) {
    return status.WithContext("invalid list prefix \"" + std::string(prefix) + "\"");
  }
  return Status::Ok();
}

bool IsAbsentError(int error_number) { return error_number == ENOENT || error_number == ENOTDIR; }

// Writes all of `bytes`, retrying short writes and EINTR.
Status WriteAll(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return WriteErrnoStatus(errno, "cannot write", path);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

// Reads the whole file, failing with kResourceExhausted once it exceeds `max_bytes` (the size
// from fstat is only a hint: someone else may be appending to a file in a source folder).
Result<std::string> ReadAll(int fd, uint64_t size_hint, uint64_t max_bytes, std::string_view key,
                            const fs::path& path) {
  std::string data;
  data.resize(static_cast<size_t>(std::min(size_hint, max_bytes)));
  size_t filled = 0;
  while (true) {
    if (filled == data.size()) {
      if (data.size() >= max_bytes) {
        char probe = 0;
        ssize_t extra = 0;
        do {
          extra = ::read(fd, &probe, 1);
        } while (extra < 0 && errno == EINTR);
        if (extra < 0) return ErrnoStatus(errno, "cannot read", path);
        if (extra == 0) break;
        return ResourceExhausted("object " + std::string(key) + " (" + path.string() +
                                 ") is over the limit of " + std::to_string(max_bytes) + " bytes");
      }
      const uint64_t grown = std::max<uint64_t>(uint64_t{data.size()} * 2, kReadChunk);
      data.resize(static_cast<size_t>(std::min(grown, max_bytes)));
    }
    const ssize_t got = ::read(fd, data.data() + filled, data.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (got == 0) break;
    filled += static_cast<size_t>(got);
  }
  data.resize(filled);
  return data;
}

// fsync of a folder, so that a rename into it survives power loss.
Status SyncDirectory(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.IsValid()) return WriteErrnoStatus(errno, "cannot open directory", dir);
  if (::fsync(fd.Get()) != 0) return WriteErrnoStatus(errno, "cannot fsync directory", dir);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const fs::path& root_dir,
                                                                 LocalObjectStoreOptions options) {
  if (root_dir.empty()) return InvalidArgument("local object store root must not be empty");
  std::error_code ec;
  fs::path root = fs::absolute(root_dir, ec).lexically_normal();
  if (ec) return ErrnoStatus(ec.value(), "cannot resolve local object store root", root_dir);
  if (!root.has_filename() && root != root.root_path()) {
    root = root.parent_path();  // drop the trailing '/' that lexically_normal keeps
  }
  const fs::file_status status = fs::status(root, ec);
  if (ec && !IsAbsentError(ec.value())) {
    return ErrnoStatus(ec.value(), "cannot stat local object store root", root);
  }
  if (!fs::exists(status)) {
    if (!options.create_root) {
      return NotFound("local object store root " + root.string() + " does not exist");
    }
    fs::create_directories(root, ec);
    if (ec) return WriteErrnoStatus(ec.value(), "cannot create local object store root", root);
  } else if (!fs::is_directory(status)) {
    return InvalidArgument("local object store root " + root.string() + " is not a directory");
  }
  std::random_device random;
  const uint64_t salt = (static_cast<uint64_t>(random()) << 32) ^ static_cast<uint64_t>(random());
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(std::move(root), options, salt));
}

LocalObjectStore::LocalObjectStore(fs::path root, LocalObjectStoreOptions options, uint64_t salt)
    : root_(std::move(root)), options_(options), salt_(salt) {}

Result<fs::path> LocalObjectStore::PathOf(std::string_view key) const {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  PIXFLEET_RETURN_IF_ERROR(CheckNoDotSegment(key));
  return root_ / fs::path(key);
}

std::string LocalObjectStore::NewTempName() {
  // The pid tells a stale temp file's owner; the salt and counter make the name unique.
  char suffix[64];
  std::snprintf(suffix, sizeof(suffix), "%ld-%016llx-%llu", static_cast<long>(::getpid()),
                static_cast<unsigned long long>(salt_),
                static_cast<unsigned long long>(temp_counter_.fetch_add(1)));
  return std::string(kTempFilePrefix) + suffix;
}

Result<std::string> LocalObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_ASSIGN_OR_RETURN(const fs::path path, PathOf(key));
  // O_NONBLOCK: opening a FIFO someone left in the folder must not hang the worker.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.IsValid()) {
    const int error_number = errno;
    if (IsAbsentError(error_number)) {
      return NotFound("object " + std::string(key) + " does not exist (" + path.string() + ")");
    }
    return ErrnoStatus(error_number, "cannot open", path);
  }
  struct stat info {};
  if (::fstat(fd.Get(), &info) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (S_ISDIR(info.st_mode)) {
    return NotFound("object " + std::string(key) + " does not exist (" + path.string() +
                    " is a directory)");
  }
  if (!S_ISREG(info.st_mode)) {
    return InvalidArgument("object " + std::string(key) + " is not a regular file (" +
                           path.string() + ")");
  }
  const auto size = static_cast<uint64_t>(info.st_size);
  if (size > max_bytes) {
    return ResourceExhausted("object " + std::string(key) + " (" + path.string() + ") is " +
                             std::to_string(size) + " bytes, over the limit of " +
                             std::to_string(max_bytes) + " bytes");
  }
  return ReadAll(fd.Get(), size, max_bytes, key, path);
}

Status LocalObjectStore::WriteTempFile(UniqueFd fd, const fs::path& temp, std::string_view bytes) {
  Status status = WriteAll(fd.Get(), bytes, temp);
  if (status.ok() && options_.fsync && ::fsync(fd.Get()) != 0) {
    status = WriteErrnoStatus(errno, "cannot fsync", temp);
  }
  // close() can report a deferred write error (NFS, quota): check it.
  if (::close(fd.Release()) != 0 && status.ok()) {
    status = WriteErrnoStatus(errno, "cannot close", temp);
  }
  if (!status.ok()) ::unlink(temp.c_str());
  return status;
}

Status LocalObjectStore::Put(std::string_view key, std::string_view bytes,
                             std::string_view /*content_type*/) {
  PIXFLEET_ASSIGN_OR_RETURN(const fs::path path, PathOf(key));
  const fs::path dir = path.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    if (ec.value() == EEXIST || ec.value() == ENOTDIR) {
      return InvalidArgument("cannot put object " + std::string(key) + ": a parent of " +
                             path.string() + " is a file (an object cannot also be a folder)");
    }
    return WriteErrnoStatus(ec.value(), "cannot create directory", dir);
  }
  fs::path temp;
  UniqueFd fd;
  for (int attempt = 1; !fd.IsValid(); ++attempt) {
    temp = dir / NewTempName();
    const int raw_fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    const int error_number = errno;
    fd = UniqueFd(raw_fd);
    // EEXIST can only be a stale temp file that got our name (a recycled pid): pick another.
    if (!fd.IsValid() && (error_number != EEXIST || attempt == kTempNameAttempts)) {
      return WriteErrnoStatus(error_number, "cannot create temp file", temp);
    }
  }
  PIXFLEET_RETURN_IF_ERROR(WriteTempFile(std::move(fd), temp, bytes));
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temp.c_str());
    if (error_number == EISDIR) {
      return InvalidArgument("cannot put object " + std::string(key) + ": " + path.string() +
                             " is a folder (an object cannot also be a folder)");
    }
    return WriteErrnoStatus(error_number, "cannot rename temp file onto", path);
  }
  if (options_.fsync) {
    PIXFLEET_RETURN_IF_ERROR(SyncDirectory(dir));
  }
  return Status::Ok();
}

Result<std::optional<ObjectInfo>> LocalObjectStore::Head(std::string_view key) {
  PIXFLEET_ASSIGN_OR_RETURN(const fs::path path, PathOf(key));
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error_number = errno;
    if (IsAbsentError(error_number)) return std::optional<ObjectInfo>();
    return ErrnoStatus(error_number, "cannot stat", path);
  }
  if (!S_ISREG(info.st_mode)) return std::optional<ObjectInfo>();
  return std::optional<ObjectInfo>(
      ObjectInfo{std::string(key), static_cast<uint64_t>(info.st_size)});
}

Status LocalObjectStore::Delete(std::string_view key) {
  PIXFLEET_ASSIGN_OR_RETURN(const fs::path path, PathOf(key));
  if (::unlink(path.c_str()) == 0) return Status::Ok();
  const int error_number = errno;
  // A folder is not an object, so there was no object by that name to delete.
  if (IsAbsentError(error_number) || error_number == EISDIR) return Status::Ok();
  return WriteErrnoStatus(error_number, "cannot delete", path);
}

Status LocalObjectStore::List(std::string_view prefix,
                              const std::function<Status(const ObjectInfo&)>& visit) {
  PIXFLEET_RETURN_IF_ERROR(ValidateListPrefix(prefix));
  // Only the folder named by the prefix's complete segments can hold matches.
  const size_t slash = prefix.rfind('/');
  if (slash == std::string_view::npos) return Walk(root_, "", prefix, visit);
  // Descend segment by segment, refusing symlinked folders as the full walk does, so that a
  // prefix never shows what List("") would not.
  fs::path dir = root_;
  std::string_view folders = prefix.substr(0, slash);
  while (!folders.empty()) {
    const size_t next = folders.find('/');
    const std::string_view segment = folders.substr(0, next);
    if (segment.front() == '.') return Status::Ok();  // state folders are never listed
    dir /= fs::path(segment);
    folders = next == std::string_view::npos ? std::string_view() : folders.substr(next + 1);
    struct stat info {};
    if (::lstat(dir.c_str(), &info) != 0) {
      if (IsAbsentError(errno)) return Status::Ok();
      return ErrnoStatus(errno, "cannot stat", dir);
    }
    if (!S_ISDIR(info.st_mode)) return Status::Ok();
  }
  return Walk(dir, std::string(prefix.substr(0, slash + 1)), prefix.substr(slash + 1), visit);
}

Status LocalObjectStore::Walk(const fs::path& dir, const std::string& key_prefix,
                              std::string_view name_filter,
                              const std::function<Status(const ObjectInfo&)>& visit) const {
  struct Entry {
    std::string name_in_key;  // the name, plus '/' for a folder: see the sort below
    bool is_folder = false;
    uint64_t size = 0;
  };
  std::vector<Entry> entries;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    // A prefix naming a folder that does not exist (or is a file) matches nothing.
    if (IsAbsentError(ec.value())) return Status::Ok();
    return ErrnoStatus(ec.value(), "cannot list directory", dir);
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.' || !name.starts_with(name_filter)) continue;
    std::error_code entry_ec;
    const fs::file_status link_status = it->symlink_status(entry_ec);
    if (entry_ec) continue;  // removed since it was read: not there any more
    Entry entry;
    if (fs::is_directory(link_status)) {
      entry.is_folder = true;
    } else if (fs::is_regular_file(link_status) ||
               (fs::is_symlink(link_status) && fs::is_regular_file(it->status(entry_ec)))) {
      entry.size = it->file_size(entry_ec);  // follows a symlink to its target
      if (entry_ec) continue;
    } else {
      continue;  // symlinked folders (never followed: no loops), dangling links, devices
    }
    entry.name_in_key = std::move(name);
    if (entry.is_folder) entry.name_in_key += '/';
    entries.push_back(std::move(entry));
  }
  if (ec) return ErrnoStatus(ec.value(), "cannot list directory", dir);
  // Every key under folder "x" starts with "x/", so sorting folders as "x/" puts whole
  // sub-trees in their key order among their siblings ("x-1" < "x/a" < "x0").
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name_in_key < b.name_in_key; });
  for (const Entry& entry : entries) {
    std::string key = key_prefix + entry.name_in_key;
    if (entry.is_folder) {
      const std::string_view folder_name(entry.name_in_key.data(), entry.name_in_key.size() - 1);
      PIXFLEET_RETURN_IF_ERROR(Walk(dir / fs::path(folder_name), key, "", visit));
    } else {
      PIXFLEET_RETURN_IF_ERROR(visit(ObjectInfo{std::move(key), entry.size}));
    }
  }
  return Status::Ok();
}

Status LocalObjectStore::CheckWritable() {
  // A temp file of Put's kind (hidden from List, and a leftover looks like a crashed Put's),
  // written directly: Put refuses names that start with a dot. Always fsync'd, so that a quota
  // or a network file system that defers its refusal reports it now.
  const fs::path probe = root_ / NewTempName();
  UniqueFd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
  Status status;
  if (!fd.IsValid()) {
    status = WriteErrnoStatus(errno, "cannot create a file in", root_);
  } else {
    status = WriteAll(fd.Get(), kWriteProbeBytes, probe);
    if (status.ok() && ::fsync(fd.Get()) != 0)
      status = WriteErrnoStatus(errno, "cannot fsync", probe);
    if (::close(fd.Release()) != 0 && status.ok()) {
      status = WriteErrnoStatus(errno, "cannot close", probe);
    }
    ::unlink(probe.c_str());
  }
  return WriteProbeVerdict(status, "the folder " + root_.string());
}

}  // namespace pixfleet
