#include "results/postgres/pg_url.h"

namespace pixfleet {

bool HasPostgresScheme(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

}  // namespace pixfleet
