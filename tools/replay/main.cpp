// rustguard-replay: runs recorded traffic (pcap/pcapng) through the same core
// as the live proxy, with the capture's timestamps.
//
//   rustguard-replay [--config PATH] [--database PATH] [--set key=value]... [--json] CAPTURE...
//   rustguard-replay verify DIR
//   rustguard-replay tune --key KEY --from A --to B --steps N [--svg FILE] CAPTURE...
//   rustguard-replay label LABELS --capture PCAP --player NAME --label honest|cheat [--kind K] [--from S] [--to S]
//   rustguard-replay train LABELS --out MODEL [--seed N] [--target-fpr F] ...
//   rustguard-replay evaluate LABELS --model MODEL [--target-fpr F] [--out-dir DIR]
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
#include "replay/labels.hpp"
#include "replay/model_evaluation.hpp"
#include "replay/model_training.hpp"
#include "replay/progress.hpp"
#include "replay/replay_analysis.hpp"
#include "replay/replay_output.hpp"
#include "replay/tune.hpp"
#include "rustguard/adapters/combat_model_file.hpp"
#include "rustguard/adapters/config_loader.hpp"
#include "rustguard/adapters/violation_log.hpp"
#if RUSTGUARD_WITH_POSTGRES
#include "rustguard/adapters/postgres_log_database.hpp"
#endif

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
  if (!settings.config.model_error.empty()) tools::log_error("{}", settings.config.model_error);
  std::unique_ptr<adapters::ViolationLog> log;
  if (!flags.no_database) {
    adapters::ViolationLogOptions options = adapters::violation_log_options(settings.config, tools::log_callback("storage"));
#if RUSTGUARD_WITH_POSTGRES
    if (is_database_url(settings.config.database)) adapters::use_postgres(options);
#endif
    std::string error;
    log = adapters::ViolationLog::start(std::move(options), error);
    if (!log) {
      tools::log_error("cannot open the database {}: {}", redacted_database(settings.config.database), error);
      return to_int(ExitCode::failure);
    }
  }
  const auto reports = replay_all(flags.captures, settings, log.get());
  bool stored = true;
  if (log) {
    log->stop();
    // A spill imported before the stop is not news; lost or waiting records are.
    if (const auto report = log->stop_report(); report.level != LogLevel::info) {
      tools::Log::instance().write(report.level, "database {}: {}", redacted_database(settings.config.database),
                                   report.text);
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

struct LabelFlags {
  std::string file;
  replay::Label label;
  std::string value;  // honest | cheat
  std::optional<double> latency_ms, from_s, to_s;
};

int run_label(LabelFlags f) {
  if (f.value != "honest" && f.value != "cheat") {
    tools::log_error("label: --label must be honest or cheat, not '{}'", f.value);
    return to_int(ExitCode::usage);
  }
  replay::LabelSet set = replay::read_labels(f.file, false);
  f.label.cheat = f.value == "cheat";
  if (f.label.kind.empty()) f.label.kind = f.value;
  f.label.latency_ms = f.latency_ms;
  f.label.from_s = f.from_s;
  f.label.to_s = f.to_s;
  replay::upsert_label(set, f.label);
  replay::write_labels(set);
  std::printf("%s: %zu sessions\n", f.file.c_str(), set.sessions.size());
  return to_int(ExitCode::ok);
}

// The labelled windows, or nullopt after saying what is wrong.
std::optional<replay::SampleSet> samples_of(const Flags& flags, const std::string& labels_file,
                                            std::vector<adapters::ConfigOverride> overrides) {
  const replay::LabelSet labels = replay::read_labels(labels_file);
  replay::SampleSet set = replay::collect_samples(labels, load(flags, std::move(overrides), false));
  for (const std::string& p : set.problems) tools::log_error("{}: {}", labels_file, p);
  if (!set.problems.empty()) return std::nullopt;
  return set;
}

struct TrainFlags {
  std::string labels;
  std::string out;
  replay::TrainParams params;
};

int run_train(const Flags& flags, const TrainFlags& t) {
  const auto set = samples_of(flags, t.labels,
                              {{"checks.model.combat.window_s", fmt::format("{}", t.params.window_s)},
                               {"checks.model.combat.min_attacks", std::to_string(t.params.min_attacks)}});
  if (!set) return to_int(ExitCode::failure);
  const replay::TrainResult r = replay::train_model(set->samples, t.params, t.labels);
  adapters::write_combat_model(r.model, t.out);
  std::printf("%s: %s\n", t.out.c_str(), r.model.trained.c_str());
  std::printf("threshold %.4f\nweights (standardised features):\n", r.model.threshold);
  for (std::size_t i = 0; i < checks::model::kCombatFeatureCount; ++i) {
    std::printf("  %-24s %+8.3f\n", std::string(checks::model::kCombatFeatureNames[i]).c_str(), r.model.weight[i]);
  }
  return to_int(ExitCode::ok);
}

struct EvaluateFlags {
  std::string labels;
  std::string model;
  double target_fpr = 0.01;
  std::string out_dir = ".";
};

int run_evaluate(const Flags& flags, const EvaluateFlags& e) {
  const checks::model::CombatModel model = adapters::read_combat_model(e.model);
  const auto set = samples_of(flags, e.labels,
                              {{"checks.model.combat.window_s", fmt::format("{}", model.window_s)},
                               {"checks.model.combat.min_attacks", std::to_string(model.min_attacks)}});
  if (!set) return to_int(ExitCode::failure);
  const replay::Evaluation ev = replay::evaluate_model(model, set->samples, e.target_fpr);
  const std::string text = replay::format_evaluation(ev, model);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::error_code ec;
  fs::create_directories(e.out_dir, ec);
  const auto write = [&](const std::string& name, const std::string& body) {
    const fs::path path = fs::path(e.out_dir) / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << body;
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
    std::printf("plot: %s\n", path.string().c_str());
  };
  const std::string note = fmt::format("{} v{}: {} windows, {} sessions", model.name, model.version, ev.scores.size(),
                                       set->sessions);
  write("roc.svg", replay::format_curve_svg(ev.roc, fmt::format("ROC, AUC {:.3f}", ev.roc_auc), "false-positive rate",
                                            "recall (true-positive rate)", note, true));
  write("pr.svg", replay::format_curve_svg(ev.pr, fmt::format("precision-recall, AP {:.3f}", ev.average_precision),
                                           "recall", "precision", note, false));
  return to_int(ExitCode::ok);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rustguard-replay: replays pcap/pcapng captures through RustGuard's detection core"};
  app.fallthrough();
  app.require_subcommand(0, 1);
  Flags flags;
  app.add_option("-c,--config", flags.config_path, "config file (YAML); default ./config.yml if present");
  app.add_option("--database", flags.database,
                 "SQLite file, or postgresql:// URL, for sessions and violations (overrides database)");
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

  LabelFlags label_flags;
  CLI::App* label = app.add_subcommand("label", "add or change one labelled session in a labels file (YAML)");
  label->add_option("labels", label_flags.file, "labels file (created when missing)")->required();
  label->add_option("--capture", label_flags.label.capture, "capture, relative to the labels file's parent folder")
      ->required();
  label->add_option("--player", label_flags.label.player, "player name")->required();
  label->add_option("--label", label_flags.value, "honest or cheat")->required();
  label->add_option("--kind", label_flags.label.kind, "what the player did (breakdowns use it)");
  label->add_option("--latency-ms", label_flags.latency_ms, "added one-way latency, for the breakdowns");
  label->add_option("--from", label_flags.from_s, "seconds since the player's connection started");
  label->add_option("--to", label_flags.to_s, "seconds since the player's connection started");

  TrainFlags train_flags;
  CLI::App* train = app.add_subcommand("train", "train the combat model on labelled captures");
  train->add_option("labels", train_flags.labels, "labels file")->required();
  train->add_option("--out", train_flags.out, "model file to write")->required();
  train->add_option("--name", train_flags.params.name, "the model's name")->capture_default_str();
  train->add_option("--model-version", train_flags.params.version, "the model's version")->capture_default_str();
  train->add_option("--seed", train_flags.params.seed, "seed of the cross-validation folds")->capture_default_str();
  train->add_option("--target-fpr", train_flags.params.target_fpr, "false-positive rate the threshold is chosen for")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  train->add_option("--l2", train_flags.params.l2, "l2 regularisation")->capture_default_str();
  train->add_option("--iterations", train_flags.params.iterations, "gradient steps")->capture_default_str();
  train->add_option("--learning-rate", train_flags.params.learning_rate, "gradient step size")->capture_default_str();
  train->add_option("--folds", train_flags.params.folds, "cross-validation folds")->capture_default_str();
  train->add_option("--window-s", train_flags.params.window_s, "seconds a window holds")->capture_default_str();
  train->add_option("--min-attacks", train_flags.params.min_attacks, "fewest attacks in a window")->capture_default_str();

  EvaluateFlags evaluate_flags;
  CLI::App* evaluate = app.add_subcommand("evaluate", "measure a combat model on labelled (held-out) captures");
  evaluate->add_option("labels", evaluate_flags.labels, "labels file")->required();
  evaluate->add_option("--model", evaluate_flags.model, "model file")->required();
  evaluate->add_option("--target-fpr", evaluate_flags.target_fpr, "false-positive rate to pick a threshold for")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  evaluate->add_option("--out-dir", evaluate_flags.out_dir, "where roc.svg and pr.svg go")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : to_int(ExitCode::usage);
  }

  try {
    if (*verify) return run_verify(flags, verify_dir);
    if (*tune) return run_tune(flags, tune_flags);
    if (*label) return run_label(label_flags);
    if (*train) return run_train(flags, train_flags);
    if (*evaluate) return run_evaluate(flags, evaluate_flags);
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
