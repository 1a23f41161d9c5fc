// LocalObjectStore: see the header for the contract. All file-system calls use POSIX calls or
// the error_code overloads of std::filesystem, so nothing here throws.
#include "storage/local/local_object_store.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
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

// The file name of a key: its last segment.
std::string_view NameOf(std::string_view key) {
  const size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

// Opens the folder `name` inside the folder `parent` without following a link.
UniqueFd OpenFolderAt(int parent, const std::string& name) {
  return UniqueFd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

// True when `dir` holds a folder named .pixfleet (not a link to one).
bool HoldsStateFolder(const fs::path& dir) {
  struct stat info {};
  const fs::path state = dir / LocalObjectStore::kStateFolder;
  return ::lstat(state.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// The path of the file open as `fd`, as the kernel resolved it; empty when /proc is missing.
fs::path OpenedPath(int fd) {
  std::error_code ec;
  fs::path opened = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  return ec ? fs::path() : opened;
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
  fs::path resolved_root = fs::canonical(root, ec);
  if (ec) return ErrnoStatus(ec.value(), "cannot resolve local object store root", root);
  std::random_device random;
  const uint64_t salt = (static_cast<uint64_t>(random()) << 32) ^ static_cast<uint64_t>(random());
  return std::unique_ptr<LocalObjectStore>(
      new LocalObjectStore(std::move(root), std::move(resolved_root), options, salt));
}

LocalObjectStore::LocalObjectStore(fs::path root, fs::path resolved_root,
                                   LocalObjectStoreOptions options, uint64_t salt)
    : root_(std::move(root)),
      resolved_root_(std::move(resolved_root)),
      options_(options),
      salt_(salt) {}

Result<fs::path> LocalObjectStore::PathOf(std::string_view key) const {
  PIXFLEET_RETURN_IF_ERROR(ValidateObjectKey(key));
  PIXFLEET_RETURN_IF_ERROR(CheckNoDotSegment(key));
  return root_ / fs::path(key);
}

bool LocalObjectStore::IsInside(const fs::path& resolved) const {
  const std::string& root = resolved_root_.native();
  const std::string& path = resolved.native();
  if (!path.starts_with(root)) return false;
  return path.size() == root.size() || root.ends_with('/') || path[root.size()] == '/';
}

Result<fs::path> LocalObjectStore::ResolveInside(std::string_view key, const fs::path& path) const {
  std::error_code ec;
  fs::path resolved = fs::canonical(path, ec);
  if (ec) {
    if (IsAbsentError(ec.value()) || ec.value() == ELOOP) {
      return NotFound("object " + std::string(key) + " does not exist (" + path.string() + ")");
    }
    return ErrnoStatus(ec.value(), "cannot resolve", path);
  }
  if (!IsInside(resolved)) {
    return InvalidArgument("object " + std::string(key) + " (" + path.string() +
                           ") is a symlink leading outside " + root_.string() + " (to " +
                           resolved.string() + "); links are followed only inside the folder");
  }
  return resolved;
}

Result<UniqueFd> LocalObjectStore::OpenFolderOf(std::string_view key, bool create) const {
  UniqueFd dir(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.IsValid()) return ErrnoStatus(errno, "cannot open directory", root_);
  fs::path shown = root_;
  for (size_t start = 0, slash = key.find('/'); slash != std::string_view::npos;
       start = slash + 1, slash = key.find('/', start)) {
    const std::string segment(key.substr(start, slash - start));
    shown /= segment;
    UniqueFd next = OpenFolderAt(dir.Get(), segment);
    if (!next.IsValid() && errno == ENOENT && create) {
      if (::mkdirat(dir.Get(), segment.c_str(), 0755) != 0 && errno != EEXIST) {
        return WriteErrnoStatus(errno, "cannot create directory", shown);
      }
      next = OpenFolderAt(dir.Get(), segment);
    }
    if (!next.IsValid()) {
      const int error_number = errno;
      if (error_number == ELOOP || error_number == ENOTDIR) {
        struct stat info {};
        if (::fstatat(dir.Get(), segment.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(info.st_mode)) {
          return FailedPrecondition(
              shown.string() +
              " is a symlink, and the output store never writes through links "
              "inside its folder " +
              root_.string() +
              " (replace the link with a real folder, or point the output location at its "
              "target)");
        }
        if (!create) return NotFound(shown.string() + " is a file, not a folder");
        return InvalidArgument(shown.string() +
                               " is a file, so it cannot also be a folder of an object");
      }
      return create ? WriteErrnoStatus(error_number, "cannot open directory", shown)
                    : ErrnoStatus(error_number, "cannot open directory", shown);
    }
    dir = std::move(next);
  }
  return dir;
}

void LocalObjectStore::MarkAsOutputFolder() {
  if (marked_.load(std::memory_order_relaxed)) return;
  // Best effort: the mark only spares a later listing of an enclosing folder from taking these
  // outputs for inputs; a Put that succeeded does not fail for it.
  UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.IsValid() &&
      (::mkdirat(root.Get(), std::string(kStateFolder).c_str(), 0755) == 0 || errno == EEXIST)) {
    marked_.store(true, std::memory_order_relaxed);
  }
}

std::string LocalObjectStore::NewTempName() {
  // The pid tells a stale temp file's owner; the salt and counter make the name unique.
  return TempFileName(::getpid(), salt_, temp_counter_.fetch_add(1));
}

std::string LocalObjectStore::TempFileName(pid_t writer, uint64_t salt, uint64_t counter) {
  char suffix[64];
  std::snprintf(suffix, sizeof(suffix), "%ld-%016llx-%llu", static_cast<long>(writer),
                static_cast<unsigned long long>(salt), static_cast<unsigned long long>(counter));
  return std::string(kTempFilePrefix) + suffix;
}

std::optional<pid_t> LocalObjectStore::TempFileWriter(std::string_view file_name) {
  if (!file_name.starts_with(kTempFilePrefix)) return std::nullopt;
  const std::string_view rest = file_name.substr(kTempFilePrefix.size());
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
  if (error != std::errc() || end == rest.data() || pid <= 0 || end == rest.data() + rest.size() ||
      *end != '-') {
    return std::nullopt;
  }
  return pid;
}

Result<LocalObjectStore::OpenedObject> LocalObjectStore::OpenObject(std::string_view key,
                                                                    uint64_t max_bytes) const {
  PIXFLEET_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  // Checked before opening (opening a device outside the folder can have effects of its own) and
  // again on what was opened, in case a link changed in between.
  PIXFLEET_ASSIGN_OR_RETURN(fs::path resolved, ResolveInside(key, path));
  // O_NONBLOCK: opening a FIFO someone left in the folder must not hang the worker.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.IsValid()) {
    const int error_number = errno;
    if (IsAbsentError(error_number)) {
      return NotFound("object " + std::string(key) + " does not exist (" + path.string() + ")");
    }
    return ErrnoStatus(error_number, "cannot open", path);
  }
  fs::path opened = OpenedPath(fd.Get());
  if (!opened.empty() && !IsInside(opened)) {
    return InvalidArgument("object " + std::string(key) + " (" + path.string() +
                           ") leads outside " + root_.string() + " (to " + opened.string() +
                           "); links are followed only inside the folder");
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
  return OpenedObject{std::move(fd), std::move(path),
                      opened.empty() ? std::move(resolved) : std::move(opened), size};
}

Result<std::string> LocalObjectStore::Get(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_ASSIGN_OR_RETURN(const OpenedObject object, OpenObject(key, max_bytes));
  return ReadAll(object.fd.Get(), object.size, max_bytes, key, object.path);
}

Result<LocalObject> LocalObjectStore::Fetch(std::string_view key, uint64_t max_bytes) {
  PIXFLEET_ASSIGN_OR_RETURN(OpenedObject object, OpenObject(key, max_bytes));
  // The file that passed the checks, by its resolved path: a link changed after this call is
  // not followed. The descriptor closes here; the caller opens the path again to read.
  return LocalObject::Borrowed(std::move(object.resolved), object.size);
}

Status LocalObjectStore::WriteTempFile(UniqueFd fd, int dir, const std::string& temp,
                                       const fs::path& shown, std::string_view bytes) {
  Status status = WriteAll(fd.Get(), bytes, shown);
  if (status.ok() && options_.fsync && ::fsync(fd.Get()) != 0) {
    status = WriteErrnoStatus(errno, "cannot fsync", shown);
  }
  // close() can report a deferred write error (NFS, quota): check it.
  if (::close(fd.Release()) != 0 && status.ok()) {
    status = WriteErrnoStatus(errno, "cannot close", shown);
  }
  if (!status.ok()) ::unlinkat(dir, temp.c_str(), 0);
  return status;
}

Status LocalObjectStore::Put(std::string_view key, std::string_view bytes,
                             std::string_view /*content_type*/) {
  PIXFLEET_ASSIGN_OR_RETURN(const fs::path path, PathOf(key));
  const fs::path dir_path = path.parent_path();
  Result<UniqueFd> opened = OpenFolderOf(key, /*create=*/true);
  if (!opened.ok()) return opened.status().WithContext("cannot put object " + std::string(key));
  const UniqueFd dir = std::move(opened).value();
  const std::string name(NameOf(key));
  std::string temp;
  UniqueFd fd;
  for (int attempt = 1; !fd.IsValid(); ++attempt) {
    temp = NewTempName();
    const int raw_fd = ::openat(dir.Get(), temp.c_str(),
                                O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    const int error_number = errno;
    fd = UniqueFd(raw_fd);
    // EEXIST can only be a stale temp file that got our name (a recycled pid): pick another.
    if (!fd.IsValid() && (error_number != EEXIST || attempt == kTempNameAttempts)) {
      return WriteErrnoStatus(error_number, "cannot create temp file", dir_path / temp);
    }
  }
  PIXFLEET_RETURN_IF_ERROR(WriteTempFile(std::move(fd), dir.Get(), temp, dir_path / temp, bytes));
  // renameat replaces a symlink named like the object with the object: it never writes through.
  if (::renameat(dir.Get(), temp.c_str(), dir.Get(), name.c_str()) != 0) {
    const int error_number = errno;
    ::unlinkat(dir.Get(), temp.c_str(), 0);
    if (error_number == EISDIR) {
      return InvalidArgument("cannot put object " + std::string(key) + ": " + path.string() +
                             " is a folder (an object cannot also be a folder)");
    }
    return WriteErrnoStatus(error_number, "cannot rename temp file onto", path);
  }
  if (options_.fsync && ::fsync(dir.Get()) != 0) {
    return WriteErrnoStatus(errno, "cannot fsync directory", dir_path);
  }
  MarkAsOutputFolder();
  return Status::Ok();
}

Result<std::optional<ObjectInfo>> LocalObjectStore::Head(std::string_view key) {
  PIXFLEET_ASSIGN_OR_RETURN(const fs::path path, PathOf(key));
  if (Result<fs::path> resolved = ResolveInside(key, path); !resolved.ok()) {
    if (resolved.error().code() == StatusCode::kNotFound) return std::optional<ObjectInfo>();
    return resolved.status();
  }
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
  // Like Put, never through a symlinked folder: that could delete a file outside the root.
  Result<UniqueFd> dir = OpenFolderOf(key, /*create=*/false);
  if (!dir.ok()) {
    const StatusCode code = dir.error().code();
    // A missing folder, or a file in its place: there is no such object.
    if (code == StatusCode::kNotFound) return Status::Ok();
    return dir.status().WithContext("cannot delete object " + std::string(key));
  }
  if (::unlinkat(dir->Get(), std::string(NameOf(key)).c_str(), 0) == 0) return Status::Ok();
  const int error_number = errno;
  // A folder is not an object, so there was no object by that name to delete.
  if (IsAbsentError(error_number) || error_number == EISDIR) return Status::Ok();
  return WriteErrnoStatus(error_number, "cannot delete", path);
}

Status LocalObjectStore::List(std::string_view prefix,
                              const std::function<Status(const ObjectInfo&)>& visit) {
  return ListReportingSkips(prefix, visit, nullptr);
}

Status LocalObjectStore::ListReportingSkips(std::string_view prefix,
                                            const std::function<Status(const ObjectInfo&)>& visit,
                                            const SkipVisitor& skipped) {
  PIXFLEET_RETURN_IF_ERROR(ValidateListPrefix(prefix));
  // Only the folder named by the prefix's complete segments can hold matches.
  const size_t slash = prefix.rfind('/');
  if (slash == std::string_view::npos) return Walk(root_, "", prefix, visit, skipped);
  // Descend segment by segment, passing over what the full walk passes over (symlinked folders,
  // output folders), so that a prefix never shows what List("") would not.
  fs::path dir = root_;
  std::string_view folders = prefix.substr(0, slash);
  size_t key_end = 0;
  while (!folders.empty()) {
    const size_t next = folders.find('/');
    const std::string_view segment = folders.substr(0, next);
    if (segment.front() == '.') return Status::Ok();  // state folders are never listed
    dir /= fs::path(segment);
    key_end += segment.size() + 1;
    folders = next == std::string_view::npos ? std::string_view() : folders.substr(next + 1);
    struct stat info {};
    if (::lstat(dir.c_str(), &info) != 0) {
      if (IsAbsentError(errno)) return Status::Ok();
      return ErrnoStatus(errno, "cannot stat", dir);
    }
    if (!S_ISDIR(info.st_mode)) return Status::Ok();
    if (HoldsStateFolder(dir)) {
      if (skipped) {
        skipped(
            SkippedEntry{std::string(prefix.substr(0, key_end)), std::string(kSkipOutputFolder)});
      }
      return Status::Ok();
    }
  }
  return Walk(dir, std::string(prefix.substr(0, slash + 1)), prefix.substr(slash + 1), visit,
              skipped);
}

Status LocalObjectStore::Walk(const fs::path& dir, const std::string& key_prefix,
                              std::string_view name_filter,
                              const std::function<Status(const ObjectInfo&)>& visit,
                              const SkipVisitor& skipped) const {
  struct Entry {
    std::string name_in_key;  // the name, plus '/' for a folder: see the sort below
    bool is_folder = false;
    uint64_t size = 0;
    std::string_view skip_reason;  // set for what is passed over
    bool links_to_folder = false;  // reported with a trailing '/', as folders are
  };
  std::vector<Entry> entries;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    // A prefix naming a folder that does not exist (or is a file) matches nothing.
    if (IsAbsentError(ec.value())) return Status::Ok();
    return ErrnoStatus(ec.value(), "cannot list directory", dir);
  }
  bool output_folder = false;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code entry_ec;
    const fs::file_status link_status = it->symlink_status(entry_ec);
    if (entry_ec) continue;  // removed since it was read: not there any more
    if (name == kStateFolder && fs::is_directory(link_status)) output_folder = true;
    if (name.empty() || name.front() == '.' || !name.starts_with(name_filter)) continue;
    Entry entry;
    if (fs::is_directory(link_status)) {
      entry.is_folder = true;
    } else if (fs::is_regular_file(link_status)) {
      entry.size = it->file_size(entry_ec);
      if (entry_ec) continue;
    } else if (fs::is_symlink(link_status)) {
      // Followed only to a file inside the root; the target's size is the object's.
      const fs::path target = fs::canonical(it->path(), entry_ec);
      const fs::file_status target_status = fs::status(target, entry_ec);
      entry.links_to_folder = !entry_ec && fs::is_directory(target_status);
      if (entry_ec) {
        entry.skip_reason = kSkipDanglingLink;
      } else if (!IsInside(target)) {
        entry.skip_reason = kSkipLinkOutside;
      } else if (fs::is_directory(target_status)) {
        entry.skip_reason = kSkipLinkToFolder;
      } else if (!fs::is_regular_file(target_status)) {
        entry.skip_reason = kSkipSpecialFile;
      } else {
        entry.size = fs::file_size(target, entry_ec);
        if (entry_ec) continue;
      }
    } else {
      entry.skip_reason = kSkipSpecialFile;
    }
    entry.name_in_key = std::move(name);
    if (entry.is_folder) entry.name_in_key += '/';
    entries.push_back(std::move(entry));
  }
  if (ec) return ErrnoStatus(ec.value(), "cannot list directory", dir);
  // Earlier outputs, not objects of this store (the root itself is exempt: see the header).
  if (output_folder && !key_prefix.empty()) {
    if (skipped) skipped(SkippedEntry{key_prefix, std::string(kSkipOutputFolder)});
    return Status::Ok();
  }
  // Every key under folder "x" starts with "x/", so sorting folders as "x/" puts whole
  // sub-trees in their key order among their siblings ("x-1" < "x/a" < "x0").
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name_in_key < b.name_in_key; });
  for (const Entry& entry : entries) {
    std::string key = key_prefix + entry.name_in_key;
    if (!entry.skip_reason.empty()) {
      if (entry.links_to_folder) key += '/';
      if (skipped) skipped(SkippedEntry{std::move(key), std::string(entry.skip_reason)});
    } else if (entry.is_folder) {
      const std::string_view folder_name(entry.name_in_key.data(), entry.name_in_key.size() - 1);
      PIXFLEET_RETURN_IF_ERROR(Walk(dir / fs::path(folder_name), key, "", visit, skipped));
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
    if (status.ok() && ::fsync(fd.Get()) != 0) {
      status = WriteErrnoStatus(errno, "cannot fsync", probe);
    }
    if (::close(fd.Release()) != 0 && status.ok()) {
      status = WriteErrnoStatus(errno, "cannot close", probe);
    }
    ::unlink(probe.c_str());
  }
  return WriteProbeVerdict(status, "the folder " + root_.string());
}

}  // namespace pixfleet
