// Helpers shared by the S3 integration tests (http and https).
#pragma once

#include <string>
#include <string_view>

namespace pixfleet::s3_test {

// The variable's value, or "" when unset.
std::string Env(const char* name);

// "s3://$PIXFLEET_TEST_S3_BUCKET/FOLDER/RUN-N/": a fresh key prefix per call, unique per process
// run too, so that tests are independent and may run in parallel.
std::string FreshUrl(std::string_view folder);

}  // namespace pixfleet::s3_test
