// rustguard-replay: runs recorded traffic (pcap/pcapng) through the same core
// as the live proxy, with the capture's timestamps.
//
//   rustguard-replay [--config PATH] [--database PATH] [--set key=value]... [--json] CAPTURE...
//   rustguard-replay verify DIR
//   rustguard-replay tune --key KEY --from A --to B --steps N [--svg FILE] CAPTURE...
//
// docs/replay.md has the long form.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "common/cli_overrides.hpp"
#include "common/exit_codes.hpp"
#include "common/log.hpp"
#include "replay/capture_files.hpp"
#include "replay/expectations.hpp"
#include "replay/progress.hpp"
#include "replay/replay_analysis.hpp"
#include "replay/replay_output.hpp"
#include "replay/tune.hpp"
#include "rustguard/adapters/config_loader.hpp"
#include "rustguard/adapters/violation_log.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rustguard;
using rustguard::tools::ExitCode;
using rustguard::tools::to_int;

struct Flags {
  std::optional<std::string> config_path;
  std::optional<std::string> database;
  std::vector<std::string> sets;
  bool no_database = false;
  bool json = false;
  std::vector<std::string> captures;
};

// config.yml (given, or in the working directory if present and
// `implicit_file`, else defaults) with the overrides applied by the same
// loader the proxy uses.
Config load(const Flags& flags, std::vector<adapters::ConfigOverride> extra = {}, bool implicit_file = true) {
  tools::CommonFlags common;
  common.sets = flags.sets;
  common.database = flags.database;
  auto overrides = common.overrides();
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  if (flags.config_path) return adapters::load_config(*flags.config_path, overrides);
  std::error_code ec;
  if (implicit_file && fs::exists("config.yml", ec)) return adapters::load_config("config.yml", overrides);
  return adapters::parse_config("", "(defaults)", overrides);
}

std::vector<replay::CaptureReport> replay_all(const std::vector<std::string>& captures,
                                              const replay::ReplaySettings& settings, adapters::ViolationLog* log) {
  std::vector<replay::CaptureReport> reports;
  for (const std::string& c : captures) {
    replay::ProgressBar bar;
    replay::ReplayOptions options;
    options.log = log;
    options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
    reports.push_back(replay::replay_capture(c, settings, options));
  }
  return reports;
}

bool any_errors(const std::vector<replay::CaptureReport>& reports) {
  for (const auto& r : reports) {
    if (!r.totals.errors.empty()) return true;
  }
  return false;
}

int run_replay(const Flags& flags) {
  replay::ReplaySettings settings{load(flags)};
  tools::Log::instance().set_level(settings.config.log_level);
  std::unique_ptr<adapters::ViolationLog> log;
  if (!flags.no_database) {
    adapters::ViolationLogOptions options = adapters::violation_log_options(settings.config, tools::log_callback("storage"));
    std::string error;
    log = adapters::ViolationLog::start(std::move(options), error);
    if (!log) {
      tools::log_error("cannot open the database {}: {}", settings.config.database, error);
      return to_int(ExitCode::failure);
    }
  }
  const auto reports = replay_all(flags.captures, settings, log.get());
  bool stored = true;
  if (log) {
    log->stop();
    // A spill imported before the stop is not news; lost or waiting records are.
    if (const auto report = log->stop_report(); report.level != LogLevel::info) {
      tools::Log::instance().write(report.level, "database {}: {}", settings.config.database, report.text);
    }
    stored = log->counters().dropped == 0;
  }
  const std::string out = flags.json ? replay::format_json(reports) : replay::format_text(reports);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return any_errors(reports) || !stored ? to_int(ExitCode::failure) : to_int(ExitCode::ok);
}

int run_verify(const Flags& flags, const std::string& dir) {
  std::error_code ec;
  std::vector<fs::path> captures;
  for (fs::directory_iterator it{dir, ec}, end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && replay::looks_like_capture_file(it->path())) captures.push_back(it->path());
  }
  if (ec) {
    tools::log_error("verify {}: {}", dir, ec.message());
    return to_int(ExitCode::usage);
  }
  std::sort(captures.begin(), captures.end());
  if (captures.empty()) {
    std::printf("verify %s: no capture files\n", dir.c_str());
    return to_int(ExitCode::verify_mismatch);
  }
  unsigned passed = 0, failed = 0;
  for (const fs::path& capture : captures) {
    fs::path expect_path = capture;
    expect_path.replace_extension(".expect");
    std::vector<std::string> diff;
    replay::Expectations expectations;
    if (!fs::exists(expect_path, ec)) {
      diff.push_back("! no expectations file " + expect_path.filename().string());
    } else if (auto err = replay::load_expectations(expect_path.string(), expectations)) {
      diff.push_back(fmt::format("! {}:{}: {}", expect_path.filename().string(), err->line, err->message));
    } else {
      std::vector<adapters::ConfigOverride> overrides;
      for (const auto& [key, value] : expectations.overrides) overrides.push_back({key, value});
      // Regression results must not depend on whatever config.yml the
      // working directory holds: defaults, unless --config names one.
      const replay::ReplaySettings settings{load(flags, overrides, false)};
      diff = replay::compare(expectations, replay::replay_capture(capture, settings));
    }
    const std::string name = capture.filename().string();
    if (diff.empty()) {
      ++passed;
      std::printf("PASS %s\n", name.c_str());
    } else {
      ++failed;
      std::printf("FAIL %s\n", name.c_str());
      for (const std::string& d : diff) std::printf("  %s\n", d.c_str());
    }
  }
  std::printf("%u passed, %u failed\n", passed, failed);
  return failed == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::verify_mismatch);
}

struct TuneFlags {
  std::string key;
  double from = 0, to = 0;
  unsigned steps = 5;
  std::string svg = "tune.svg";
};

int run_tune(const Flags& flags, const TuneFlags& tune) {
  replay::TuneResult result;
  result.key = tune.key;
  result.values = replay::sweep_values(tune.from, tune.to, tune.steps);
  for (std::size_t i = 0; i < result.values.size(); ++i) {
    replay::ReplaySettings settings{load(flags, {{tune.key, result.values[i]}})};
    const auto reports = replay_all(flags.captures, settings, nullptr);
    if (any_errors(reports)) {
      for (const auto& r : reports) {
        for (const auto& e : r.totals.errors) tools::log_error("{}", e);
      }
      return to_int(ExitCode::failure);
    }
    replay::add_tune_step(result, i, reports);
  }
  const std::string table = replay::format_tune_table(result);
  std::fwrite(table.data(), 1, table.size(), stdout);
  std::ofstream svg(tune.svg, std::ios::binary | std::ios::trunc);
  svg << replay::format_tune_svg(result);
  if (!svg.flush()) {
    tools::log_error("cannot write {}", tune.svg);
    return to_int(ExitCode::failure);
  }
  std::printf("plot: %s\n", tune.svg.c_str());
  return to_int(ExitCode::ok);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rustguard-replay: replays pcap/pcapng captures through RustGuard's detection core"};
  app.fallthrough();
  app.require_subcommand(0, 1);
  Flags flags;
  app.add_option("-c,--config", flags.config_path, "config file (YAML); default ./config.yml if present");
  app.add_option("--database", flags.database, "SQLite file for sessions and violations (overrides database)");
  app.add_option("--set", flags.sets, "override any config key: dotted.key=value (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("--no-database", flags.no_database, "store nothing, only print the summary");
  app.add_flag("--json", flags.json, "print the summary as JSON");
  app.add_option("captures", flags.captures, "capture files or folders (pcap, pcapng)");

  std::string verify_dir;
  CLI::App* verify = app.add_subcommand("verify", "replay each capture in DIR against its .expect file");
  verify->add_option("dir", verify_dir, "folder of captures and expectations")->required();

  TuneFlags tune_flags;
  CLI::App* tune = app.add_subcommand("tune", "sweep one config key and show where flags start and stop");
  tune->add_option("--key", tune_flags.key, "config key to sweep, e.g. checks.speed.threshold")->required();
  tune->add_option("--from", tune_flags.from, "first value")->required();
  tune->add_option("--to", tune_flags.to, "last value")->required();
  tune->add_option("--steps", tune_flags.steps, "number of values, ends included")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  tune->add_option("--svg", tune_flags.svg, "where to write the plot")->capture_default_str();
  tune->add_option("captures", flags.captures, "capture files or folders")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : to_int(ExitCode::usage);
  }

  try {
    if (*verify) return run_verify(flags, verify_dir);
    if (*tune) return run_tune(flags, tune_flags);
    if (flags.captures.empty()) {
      std::fprintf(stderr, "rustguard-replay: no CAPTURE given\n%s", app.help().c_str());
      return to_int(ExitCode::usage);
    }
    return run_replay(flags);
  } catch (const adapters::ConfigError& e) {
    tools::log_error("{}", e.what());
    return to_int(ExitCode::config);
  } catch (const std::exception& e) {
    tools::log_error("{}", e.what());
    return to_int(ExitCode::failure);
  }
}
