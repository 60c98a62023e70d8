// SGD and Adam, element-wise over each parameter (float32 state, as Keras keeps it).
#include "strider/train/optimizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "strider/core/error.hpp"
#include "train/parallel.hpp"

namespace strider::train {
namespace {

// Adam's update of n values, elementwise: the arrays do not overlap (__restrict), and the file is
// built with -fno-math-errno (CMakeLists.txt), so the loop runs on vectors. Through a per-index
// lambda it ran a float at a time, each sqrt behind an errno check: 1.2% of the CNN's training
// step. Vector sqrt and division round as the scalar ones do, and nothing here is contracted into
// an FMA on the baseline target: the same bits.
void adam_update(float* __restrict w, const float* __restrict g, float* __restrict m,
                 float* __restrict v, std::int64_t n, float one_minus_b1, float one_minus_b2,
                 float alpha, float eps) {
  for (std::int64_t i = 0; i < n; ++i) {
    m[i] += (g[i] - m[i]) * one_minus_b1;
    v[i] += (g[i] * g[i] - v[i]) * one_minus_b2;
    w[i] -= alpha * m[i] / (std::sqrt(v[i]) + eps);
  }
}

// Values per parallel item of the optimizer's updates.
constexpr std::int64_t kUpdateBlock = 4096;

}  // namespace

OptimizerSettings OptimizerSettings::defaults(std::string_view name) {
  OptimizerSettings s;
  if (name == "adam") return s;
  if (name == "sgd") {
    s.name = "sgd";
    s.learning_rate = 0.01;
    return s;
  }
  throw InvalidArgument(fmt::format("--optimizer: must be adam or sgd, got '{}'", name));
}

void OptimizerSettings::validate() const {
  if (name != "adam" && name != "sgd") {
    throw InvalidArgument(fmt::format("optimizer: must be adam or sgd, got '{}'", name));
  }
  if (!std::isfinite(learning_rate) || learning_rate <= 0.0) {
    throw InvalidArgument(
        fmt::format("learning rate: must be a finite number > 0, got {}", learning_rate));
  }
  if (!(momentum >= 0.0 && momentum < 1.0)) {
    throw InvalidArgument(fmt::format("momentum: must be in [0, 1), got {}", momentum));
  }
  if (nesterov && momentum == 0.0) {
    throw InvalidArgument("nesterov: needs a momentum > 0");
  }
  if (!(beta_1 >= 0.0 && beta_1 < 1.0) || !(beta_2 >= 0.0 && beta_2 < 1.0)) {
    throw InvalidArgument(
        fmt::format("adam: beta_1 and beta_2 must be in [0, 1), got {} and {}", beta_1, beta_2));
  }
  if (!(epsilon > 0.0) || !std::isfinite(epsilon)) {
    throw InvalidArgument(fmt::format("adam: epsilon must be > 0, got {}", epsilon));
  }
  if (decay_steps < 0) {
    throw InvalidArgument(fmt::format("decay steps: must be >= 0, got {}", decay_steps));
  }
}

double OptimizerSettings::learning_rate_at(std::int64_t iteration) const {
  if (decay_steps == 0) return learning_rate;
  const double done =
      static_cast<double>(std::min(std::max<std::int64_t>(iteration, 0), decay_steps)) /
      static_cast<double>(decay_steps);
  return learning_rate * 0.5 * (1.0 + std::cos(std::numbers::pi * done));
}

Optimizer::Optimizer(OptimizerSettings settings) : settings_(std::move(settings)) {
  settings_.validate();
}

Optimizer::Slot& Optimizer::slot_for(const Parameter& p) {
  Slot* slot = nullptr;
  for (Slot& s : slots_) {
    if (s.parameter == p.name) slot = &s;
  }
  if (slot == nullptr) {
    slot = &slots_.emplace_back();
    slot->parameter = p.name;
  }
  const bool adam = settings_.name == "adam";
  const auto ensure = [&](Tensor& t, bool needed) {
    if (!needed || t.shape() == p.value.shape()) return;
    if (t.empty() && t.rank() == 1) {
      t = Tensor(p.value.shape());
      return;
    }
    throw ShapeError(fmt::format("optimizer: a slot of '{}' has shape {}, the parameter {}", p.name,
                                 format_shape(t.shape()), format_shape(p.value.shape())));
  };
  ensure(slot->momentum, adam || settings_.momentum != 0.0);
  ensure(slot->velocity, adam);
  return *slot;
}

void Optimizer::step(std::span<Parameter* const> parameters) {
  const bool adam = settings_.name == "adam";
  const double t = static_cast<double>(iterations_ + 1);
  const double rate = settings_.learning_rate_at(iterations_);
  const auto lr = static_cast<float>(rate);
  const auto alpha = static_cast<float>(rate * std::sqrt(1.0 - std::pow(settings_.beta_2, t)) /
                                        (1.0 - std::pow(settings_.beta_1, t)));
  const auto one_minus_b1 = static_cast<float>(1.0 - settings_.beta_1);
  const auto one_minus_b2 = static_cast<float>(1.0 - settings_.beta_2);
  const auto eps = static_cast<float>(settings_.epsilon);
  const auto mu = static_cast<float>(settings_.momentum);
  const bool nesterov = settings_.nesterov;
  for (Parameter* p : parameters) {
    if (!p->trainable) continue;
    if (p->grad.shape() != p->value.shape()) {
      throw ShapeError(fmt::format("optimizer: gradient {} of '{}' does not match its value {}",
                                   format_shape(p->grad.shape()), p->name,
                                   format_shape(p->value.shape())));
    }
    slot_for(*p);  // every slot made before any is pointed to: slots_ may grow
  }
  // Every parameter's blocks in one parallel region: a region per parameter left one core
  // waiting at each of their barriers (a 5-block kernel splits 3 to 2).
  struct Block {
    float* w;
    const float* g;
    float* m;
    float* v;
    std::int64_t count;
  };
  std::vector<Block> blocks;
  std::int64_t values = 0;
  for (Parameter* p : parameters) {
    if (!p->trainable) continue;
    Slot& s = slot_for(*p);
    const std::int64_t n = p->value.size();
    const auto at = [](Tensor& slot, std::int64_t i) {
      return slot.empty() ? nullptr : slot.data() + i;
    };
    for (std::int64_t i = 0; i < n; i += kUpdateBlock) {
      blocks.push_back({p->value.data() + i, p->grad.data() + i, at(s.momentum, i),
                        at(s.velocity, i), std::min(kUpdateBlock, n - i)});
    }
    values += n;
  }
  const std::int64_t cost = adam ? 12 : mu == 0.0f ? 2 : 5;  // float operations per value
  kernels::parallel_for(static_cast<std::int64_t>(blocks.size()),
                        values * cost >= detail::kParallelWork, [&](std::int64_t b) {
                          const Block& k = blocks[static_cast<std::size_t>(b)];
                          if (adam) {
                            adam_update(k.w, k.g, k.m, k.v, k.count, one_minus_b1, one_minus_b2,
                                        alpha, eps);
                          } else if (mu == 0.0f) {
                            for (std::int64_t i = 0; i < k.count; ++i) k.w[i] -= lr * k.g[i];
                          } else {
                            for (std::int64_t i = 0; i < k.count; ++i) {
                              k.m[i] = mu * k.m[i] - lr * k.g[i];
                              k.w[i] += nesterov ? mu * k.m[i] - lr * k.g[i] : k.m[i];
                            }
                          }
                        });
  ++iterations_;
}

std::vector<std::pair<std::string, Tensor>> Optimizer::slots() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const Slot& s : slots_) {
    if (!s.momentum.empty()) out.emplace_back(s.parameter + "/momentum", s.momentum);
    if (!s.velocity.empty()) out.emplace_back(s.parameter + "/velocity", s.velocity);
  }
  return out;
}

void Optimizer::set_state(std::int64_t iterations,
                          std::vector<std::pair<std::string, Tensor>> slots) {
  if (iterations < 0) {
    throw FormatError(fmt::format("optimizer state: iterations must be >= 0, got {}", iterations));
  }
  const bool adam = settings_.name == "adam";
  const bool uses_momentum = adam || settings_.momentum != 0.0;
  std::vector<Slot> restored;
  for (auto& [name, value] : slots) {
    const std::size_t slash = name.rfind('/');
    const std::string kind = slash == std::string::npos ? std::string() : name.substr(slash + 1);
    const bool known = (kind == "momentum" && uses_momentum) || (kind == "velocity" && adam);
    if (!known) {
      throw FormatError(fmt::format("optimizer state: slot '{}' is not one of {} optimizer's", name,
                                    settings_.name));
    }
    const std::string parameter = name.substr(0, slash);
    Slot* slot = nullptr;
    for (Slot& s : restored) {
      if (s.parameter == parameter) slot = &s;
    }
    if (slot == nullptr) {
      slot = &restored.emplace_back();
      slot->parameter = parameter;
    }
    (kind == "momentum" ? slot->momentum : slot->velocity) = std::move(value);
  }
  iterations_ = iterations;
  slots_ = std::move(restored);
}

}  // namespace strider::train
