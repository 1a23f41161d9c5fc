// `pixfleet db migrate --db URL`: creates or upgrades the result store's schema. Run it once per
// deployment before starting workers (they refuse a schema that is missing or too old); safe to
// run again and from several places at once.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "core/clock.h"
#include "core/log.h"
#include "wiring/backends.h"

namespace pixfleet {

CommandRunner AddDbCommand(CLI::App& app) {
  auto db_url = std::make_shared<std::string>();
  CLI::App* db = app.add_subcommand("db", "Result store administration");
  db->require_subcommand(1);
  CLI::App* migrate =
      db->add_subcommand("migrate", "Create or upgrade the result store's schema (idempotent)");
  migrate->add_option("--db", *db_url, "Result store URL (postgresql://... or sqlite:///...)")
      ->envname("PIXFLEET_DB")
      ->required()
      ->check(ConnectionUrl());
  return [db_url] {
    if (Status migrated = MigrateResultStore(*db_url, RealClock::Instance()); !migrated.ok()) {
      PrintFatalLine("db migrate", migrated.ToString());
      return migrated.IsRetryable() ? 1 : 2;
    }
    std::cout << "schema is up to date\n";
    return 0;
  };
}

}  // namespace pixfleet
