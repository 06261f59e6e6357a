// `wei-run report` end to end: a small sweep (label-noise GD, 2 methods x 2 learning rates x 2
// seeds) and a diverged run, one page of both, opened in a real headless Chromium (Debian's
// `chromium`, installed by scripts/test.sh). The DOM Chromium builds must hold one summary row per
// group, every plot and every point; Chromium's network log must show no request made for the
// page. The screenshot and the page are kept under the build directory as test artefacts
// (BUILD/test-artifacts/report/), never committed.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text_file.h"

namespace {

namespace fs = std::filesystem;

using wei::testing::count_occurrences;
using wei::testing::read_text;

std::string chromium_binary() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (fs::exists(candidate)) return candidate;
  }
  return "";
}

// Runs headless Chromium on `page` with a fresh profile and the flags that keep the browser itself
// quiet; `extra` adds --dump-dom, --screenshot=... Killed after two minutes.
wei::testing::ProcessResult run_chromium(const std::string& binary, const fs::path& page, const fs::path& work,
                                         const std::string& profile, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                   "--user-data-dir=" + (work / profile).string()};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("file://" + fs::absolute(page).string());
  wei::testing::ChildProcess chromium(binary, args, work, {{"HOME", work.string()}});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (!chromium.finished() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!chromium.finished()) chromium.send_signal(SIGKILL);
  return chromium.wait();
}

// Requests Chromium made on behalf of a file:// page: their isolation key and site are the page's.
// (The browser's own background requests, if any slip through the flags, carry other keys.)
size_t page_requests(const fs::path& net_log) {
  const std::string log = read_text(net_log);
  return count_occurrences(log, "\"network_isolation_key\":\"file://") + count_occurrences(log, "{site=file://");
}

}  // namespace

TEST_CASE("a sweep's report opens in headless Chromium: a row per group, every plot, nothing fetched",
          "[e2e][report]") {
  const std::string chromium = chromium_binary();
  if (chromium.empty()) {
    WARN("chromium is not installed (Debian package chromium; scripts/test.sh installs it): "
         "the browser check of the report is skipped");
    return;
  }
  wei::testing::TempDir tmp;
  tmp.write("spec.yaml",
            "trainer: label_noise_sgd\nseed: 0\nmethod: label_noise\noptim:\n  lr: 0.01\n  steps: 2000\nlog_every: 100\n"
            "reference: {final.test_error: 45.0, source: \"a made-up reference for this test\"}\n");
  const auto sweep = wei::testing::run_wei({"sweep", "spec.yaml", "method=label_noise,gd", "optim.lr=0.01,0.02",
                                            "seed=0,1", "--out", "sw", "--jobs", "2"},
                                           tmp.path());
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const auto diverged = wei::testing::run_wei({"run", "spec.yaml", "optim.lr=5", "--out", "diverged"}, tmp.path());
  REQUIRE(diverged.exit_code == 1);
  const auto report = wei::testing::run_wei({"report", "sw", "diverged", "--out", "page/report.html"}, tmp.path());
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  CHECK_THAT(report.err, Catch::Contains("wrote page/report.html: 9 point(s), 2 plot(s)"));
  const fs::path page = tmp.path() / "page" / "report.html";
  const std::string html = read_text(page);
  // Self-contained by construction: no URL, script, stylesheet, font or image to fetch.
  CHECK(count_occurrences(html, "http://") + count_occurrences(html, "https://") + count_occurrences(html, "src=") == 0);
  CHECK(count_occurrences(html, "<script") + count_occurrences(html, "<link") + count_occurrences(html, "@import") + count_occurrences(html, "@font-face") == 0);

  const auto dom_run = run_chromium(chromium, page, tmp.path(), "profile-dom",
                                    {"--dump-dom", "--log-net-log=" + (tmp.path() / "net.json").string()});
  INFO(dom_run.err.substr(0, 2000));
  REQUIRE(dom_run.exit_code == 0);
  const std::string dom = dom_run.out;
  REQUIRE_THAT(dom, Catch::Contains("<h1>wei-run report: sw, diverged</h1>"));
  // One summary row per group (method x lr; the diverged run has no ok group), with the paper column.
  CHECK(count_occurrences(dom, "<tr class=\"group\">") == 4);
  CHECK(count_occurrences(dom, "<table class=\"summary\">") == 1);
  CHECK_THAT(dom, Catch::Contains(">paper</th>") && Catch::Contains(">45.0</td>"));
  // Every plot, drawn: the learning curve and test error against the learning rate.
  CHECK(count_occurrences(dom, "<figure class=\"plot\"") == 2);
  CHECK(count_occurrences(dom, "<svg class=\"plot-svg\"") == 2);
  CHECK_THAT(dom, Catch::Contains("data-kind=\"curve\"") && Catch::Contains("data-kind=\"metric\""));
  CHECK(count_occurrences(dom, "<path") > 20);
  // Every point, the diverged one flagged; links to each run's files.
  CHECK(count_occurrences(dom, "data-status=\"ok\"") == 8);
  CHECK(count_occurrences(dom, "<tr class=\"point flagged\" data-status=\"diverged\">") == 1);
  CHECK(count_occurrences(dom, "metrics.json</a>") == 9);
  CHECK(count_occurrences(dom, "log.txt</a>") == 9);
  CHECK_THAT(dom, Catch::Contains("href=\"../sw/method=gd,optim.lr=0.01,seed=0/metrics.json\""));
  // Nothing was fetched for the page.
  REQUIRE(fs::exists(tmp.path() / "net.json"));
  CHECK(page_requests(tmp.path() / "net.json") == 0);

  // The same check sees a page that does fetch something, so its silence above means something.
  tmp.write("fetching.html", "<!DOCTYPE html><html><body><img src=\"http://fetch.invalid/x.png\"></body></html>");
  const auto control = run_chromium(chromium, tmp.path() / "fetching.html", tmp.path(), "profile-control",
                                    {"--dump-dom", "--log-net-log=" + (tmp.path() / "control.json").string()});
  CHECK(control.exit_code == 0);
  CHECK(page_requests(tmp.path() / "control.json") > 0);

  // The screenshot, kept as a test artefact with the page.
  const fs::path artefacts = fs::path(WEI_RUN_BINARY).parent_path() / "test-artifacts" / "report";
  fs::create_directories(artefacts);
  const fs::path screenshot = artefacts / "report.png";
  fs::remove(screenshot);
  const auto shot = run_chromium(chromium, page, tmp.path(), "profile-shot",
                                 {"--window-size=1280,2600", "--hide-scrollbars", "--screenshot=" + screenshot.string()});
  CHECK(shot.exit_code == 0);
  REQUIRE(fs::exists(screenshot));
  CHECK(fs::file_size(screenshot) > 20000);
  fs::copy_file(page, artefacts / "report.html", fs::copy_options::overwrite_existing);
}
