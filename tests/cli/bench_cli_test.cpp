// strider bench end to end: the JSON a script reads, the kernel it names, and bad options.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_fixture.hpp"

namespace strider::cli_test {
namespace {

using nlohmann::json;

class Bench : public Cli {
 protected:
  json bench_json(const std::string& args) const {
    const Result r = run("bench " + args + " --min-seconds 0.01 --json");
    EXPECT_EQ(r.status, 0) << r.err;
    return json::parse(r.out);
  }
};

TEST_F(Bench, PrintsTimingsAgainstThePeak) {
  const json conv = bench_json(
      "conv --input 1,12,12,5 --filters 20 --kernel 3 --strides 2 --padding same --threads 1");
  for (const char* key : {"median_ms", "min_ms", "gflops", "peak_gflops", "kernel"}) {
    EXPECT_TRUE(conv.contains(key)) << key;
  }
  EXPECT_LE(conv["min_ms"].get<double>(), conv["median_ms"].get<double>());
  EXPECT_GT(conv["gflops"].get<double>(), 0.0);
  EXPECT_EQ(conv["output_shape"], json({1, 6, 6, 20}));
  EXPECT_DOUBLE_EQ(conv["gflop"].get<double>(), 2.0 * 6 * 6 * 20 * 9 * 5 / 1e9);
  EXPECT_EQ(bench_json("conv --input 1,8,8,3 --filters 4 --kernel 3 --impl reference")["kernel"],
            "reference");

  const json dw = bench_json("depthwise --input 1,16,16,24 --kernel 3 --strides 2,1");
  EXPECT_EQ(dw["output_shape"], json({1, 7, 14, 24}));
  // The kernel that ran, by name, whether chosen or forced.
  EXPECT_FALSE(dw["kernel"].get<std::string>().empty());
  EXPECT_NE(dw["kernel"], "reference");
  EXPECT_EQ(bench_json("depthwise --input 1,8,8,4 --depth-multiplier 2 --impl reference")["kernel"],
            "reference");
  // Pooling strides default to the pool size.
  const json pool = bench_json("pool --op avg --input 1,9,9,8 --pool 3");
  EXPECT_EQ(pool["output_shape"], json({1, 3, 3, 8}));
  EXPECT_NE(pool["kernel"], "reference");
  EXPECT_EQ(bench_json("pool --op max --input 1,9,9,8 --pool 3 --impl reference")["kernel"],
            "reference");
}

TEST_F(Bench, RejectsBadOptions) {
  expect_error("bench conv --input 1,8,8 --filters 4", {"--input", "N,H,W,C"});
  expect_error("bench conv --input 1,8,8,3 --filters 0", {"--filters", ">= 1"});
  expect_error("bench conv --input 1,8,8,3 --filters 4 --threads -1", {"--threads", ">= 0"});
  expect_error("bench conv --input 1,8,8,3 --filters 4 --min-seconds 0", {"--min-seconds"});
  expect_error("bench conv --input 1,2,2,3 --filters 4 --kernel 3", {"'valid'", "height"});
  expect_error("bench conv --input 1,8,8,3 --filters 4 --impl nope", {"kernel", "'nope'"});
  expect_error("bench pool --op min --input 1,8,8,3", {"--op", "'min'"});
}

}  // namespace
}  // namespace strider::cli_test
