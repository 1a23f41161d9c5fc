// ErrnoStatus and WriteErrnoStatus: which errno means what to the caller.
#include "storage/local/errno_status.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace pixfleet {
namespace {

TEST(ErrnoStatusTest, AFileSystemThatRefusesWritesIsAFailedPrecondition) {
  for (const int error_number : {ENOSPC, EDQUOT, EROFS, EACCES, EPERM}) {
    const Status status = WriteErrnoStatus(error_number, "cannot write", "/out/a.jpg");
    EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
    EXPECT_FALSE(status.IsRetryable());
    EXPECT_EQ(status.message().rfind("cannot write /out/a.jpg: ", 0), 0u) << status.message();
  }
  EXPECT_NE(WriteErrnoStatus(ENOSPC, "cannot write", "/out/a.jpg").message().find("No space"),
            std::string::npos);
}

TEST(ErrnoStatusTest, ReadsKeepTheirMeaning) {
  EXPECT_EQ(ErrnoStatus(ENOENT, "cannot open", "/in/a.jpg").code(), StatusCode::kNotFound);
  EXPECT_EQ(ErrnoStatus(ENOTDIR, "cannot open", "/in/a.jpg").code(), StatusCode::kNotFound);
  // One unreadable input is that input's problem: it fails, the others go on.
  EXPECT_EQ(ErrnoStatus(EACCES, "cannot open", "/in/a.jpg").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrnoStatus(EPERM, "cannot open", "/in/a.jpg").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrnoStatus(EIO, "cannot read", "/in/a.jpg").code(), StatusCode::kUnavailable);
}

TEST(ErrnoStatusTest, NamingProblemsArePermanentAndResourceShortagesRetryable) {
  for (const int error_number : {ENAMETOOLONG, EISDIR, EEXIST, ELOOP, EINVAL, EFBIG}) {
    EXPECT_EQ(WriteErrnoStatus(error_number, "cannot create", "/out/x").code(),
              StatusCode::kInvalidArgument)
        << error_number;
  }
  for (const int error_number : {EIO, EMFILE, ENFILE, ENOMEM, ESTALE}) {
    EXPECT_TRUE(WriteErrnoStatus(error_number, "cannot write", "/out/x").IsRetryable())
        << error_number;
  }
  EXPECT_EQ(WriteErrnoStatus(ENOENT, "cannot rename", "/out/x").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace pixfleet
