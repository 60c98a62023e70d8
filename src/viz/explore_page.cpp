// The explore page: geometry tables filled by Window::make, embedded in one HTML file whose
// script only looks them up and draws.
#include "strider/viz/explore_page.hpp"

#include <fmt/format.h>

#include <string_view>
#include <utility>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/geometry/window.hpp"
#include "strider/viz/grid.hpp"

namespace strider::viz {
namespace {

// A JSON string that is also safe inside <script>: '<' is escaped so no "</script>" can appear.
std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '<':
        out += "\\u003c";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string axis_entry(std::int64_t n, std::int64_t k, std::int64_t s, std::int64_t d,
                       PaddingKind padding) {
  WindowSpec spec;
  spec.kernel_size = k;
  spec.stride = s;
  spec.dilation = d;
  spec.padding.kind = padding;
  Window w;
  try {
    // One table serves both axes; the page puts "height" or "width" in place of the marker.
    w = Window::make(n, spec, "conv2d", "@AXIS@");
  } catch (const Error& e) {
    std::string out = "{\"e\":";
    out += json_string(e.what());
    out.push_back('}');
    return out;
  }
  std::vector<std::int64_t> taps, reads;
  for (std::int64_t o = 0; o < w.output_size(); ++o) {
    for (std::int64_t j = 0; j < w.kernel_size(); ++j) taps.push_back(w.tap(o, j));
  }
  for (std::int64_t i = 0; i < w.input_size(); ++i) reads.push_back(w.reads_of(i));
  return fmt::format(R"({{"o":{},"b":{},"a":{},"m":{},"u":{},"t":[{}],"r":[{}]}})", w.output_size(),
                     w.pad_before(), w.pad_after(), w.output_size() * w.kernel_size(),
                     w.unread_inputs(), fmt::join(taps, ","), fmt::join(reads, ","));
}

void check_range(std::int64_t value, const char* name) {
  if (value < 1 || value > 64) {
    throw InvalidArgument(fmt::format("explore: {} must be in [1, 64], got {}", name, value));
  }
}

constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Strider: explore strides</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #222; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  p.note { margin: 0 0 12px; color: #555; max-width: 60em; }
  #controls { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
  fieldset { border: 1px solid #ccc; border-radius: 6px; padding: 6px 12px; }
  label { display: grid; grid-template-columns: 6.5em 9em 2em; align-items: center; }
  #numbers { margin: 12px 0; display: grid; grid-template-columns: max-content auto;
             gap: 2px 16px; }
  #numbers dt { color: #555; }
  #numbers dd { margin: 0; font-family: ui-monospace, monospace; }
  #error { color: #b00; font-family: ui-monospace, monospace; margin: 8px 0; }
  #frame-controls { margin: 8px 0; display: flex; gap: 12px; align-items: center; }
  #frame-controls label { display: flex; gap: 8px; }
  svg text { font-family: ui-monospace, monospace; font-size: 10px; }
</style>
</head>
<body>
<h1>Strides, explored</h1>
<p class="note">Choose an input size, kernel, stride, dilation and padding for each axis. The
numbers and windows on this page were computed by Strider's own geometry when <code>strider
explore</code> wrote it, for every value the controls allow; the page only looks them up.</p>
<form id="controls" onsubmit="return false">
  <fieldset><legend>height</legend>
    <label>input <input type="range" id="in-h"><output id="in-h-value"></output></label>
    <label>kernel <input type="range" id="k-h"><output id="k-h-value"></output></label>
    <label>stride <input type="range" id="s-h"><output id="s-h-value"></output></label>
    <label>dilation <input type="range" id="d-h"><output id="d-h-value"></output></label>
  </fieldset>
  <fieldset><legend>width</legend>
    <label>input <input type="range" id="in-w"><output id="in-w-value"></output></label>
    <label>kernel <input type="range" id="k-w"><output id="k-w-value"></output></label>
    <label>stride <input type="range" id="s-w"><output id="s-w-value"></output></label>
    <label>dilation <input type="range" id="d-w"><output id="d-w-value"></output></label>
  </fieldset>
  <fieldset><legend>both</legend>
    <label>padding <select id="padding"><option>valid</option><option>same</option></select>
      <span></span></label>
    <label>coverage <input type="checkbox" id="coverage"><span></span></label>
  </fieldset>
</form>
<dl id="numbers">
  <dt>output</dt><dd id="out-shape"></dd>
  <dt>pads</dt><dd id="pads"></dd>
  <dt>MACs</dt><dd id="macs"></dd>
  <dt>window positions</dt><dd id="positions"></dd>
  <dt>pixels never read</dt><dd id="unread"></dd>
</dl>
<div id="error" hidden></div>
<div id="frame-controls">
  <label>output position <input type="range" id="frame" min="0" value="0"><span></span></label>
  <span id="frame-text"></span>
  <button type="button" id="play">Play</button>
</div>
<svg id="picture" xmlns="http://www.w3.org/2000/svg" width="0" height="0"></svg>
<script type="application/json" id="strider-tables">@TABLES@</script>
<script>
(function () {
  'use strict';
  var T = JSON.parse(document.getElementById('strider-tables').textContent);
  var R = T.ranges, C = T.colors;
  var $ = function (id) { return document.getElementById(id); };
  var span = function (r) { return r[1] - r[0] + 1; };
  var defaults = { 'in-h': 7, 'in-w': 7, 'k-h': 3, 'k-w': 3, 's-h': 2, 's-w': 2, 'd-h': 1, 'd-w': 1 };
  var limits = { 'in': R.input, 'k': R.kernel, 's': R.stride, 'd': R.dilation };
  Object.keys(defaults).forEach(function (id) {
    var el = $(id), r = limits[id.split('-')[0]];
    el.min = r[0]; el.max = r[1];
    el.value = Math.min(Math.max(defaults[id], r[0]), r[1]);
  });
  $('padding').value = 'same';

  // The table entry of one axis: a lookup, no geometry.
  function entry(n, k, s, d, padding) {
    var i = n - R.input[0];
    i = i * span(R.kernel) + (k - R.kernel[0]);
    i = i * span(R.stride) + (s - R.stride[0]);
    i = i * span(R.dilation) + (d - R.dilation[0]);
    i = i * R.padding.length + R.padding.indexOf(padding);
    return T.axes[i];
  }
  function value(id) { return parseInt($(id).value, 10); }
  function axis(suffix) {
    var n = value('in-' + suffix), k = value('k-' + suffix);
    var e = entry(n, k, value('s-' + suffix), value('d-' + suffix), $('padding').value);
    return { n: n, k: k, e: e };
  }
  function heat(count, most) {
    var lo = C.heatLow, hi = C.heatHigh, t = most <= 1 ? 0 : (count - 1) / (most - 1);
    var c = [1, 3, 5].map(function (p) {
      var a = parseInt(lo.substr(p, 2), 16), b = parseInt(hi.substr(p, 2), 16);
      return Math.round(a + (b - a) * t);
    });
    return 'rgb(' + c.join(',') + ')';
  }
  function rect(x, y, size, fill, stroke, cls, cell, extra) {
    return '<rect x="' + x + '" y="' + y + '" width="' + size + '" height="' + size +
        '" fill="' + fill + '" stroke="' + stroke + '" class="' + cls + '" data-cell="' + cell +
        '"' + (extra || '') + '/>';
  }

  var timer = null;
  function draw() {
    var h = axis('h'), w = axis('w');
    ['in-h', 'in-w', 'k-h', 'k-w', 's-h', 's-w', 'd-h', 'd-w'].forEach(function (id) {
      $(id + '-value').textContent = $(id).value;
    });
    var errors = [[h.e.e, 'height'], [w.e.e, 'width']].filter(function (m) { return m[0]; })
        .map(function (m) { return m[0].replace(/@AXIS@/g, m[1]); });
    var svg = $('picture');
    if (errors.length) {
      $('error').hidden = false;
      $('error').textContent = errors.join('\n');
      ['out-shape', 'pads', 'macs', 'positions', 'unread'].forEach(function (id) {
        $(id).textContent = '-';
      });
      $('frame-text').textContent = '';
      svg.setAttribute('width', 0);
      svg.setAttribute('height', 0);
      svg.innerHTML = '';
      return;
    }
    $('error').hidden = true;
    var H = h.e, W = w.e;
    var positions = H.o * W.o;
    $('out-shape').textContent = H.o + ' x ' + W.o;
    $('pads').textContent = 'top ' + H.b + ', bottom ' + H.a + ', left ' + W.b + ', right ' + W.a;
    $('macs').textContent = (H.m * W.m) + ' (1 input channel, 1 filter)';
    $('positions').textContent = positions + ' (' + H.o + ' x ' + W.o + ')';
    $('unread').textContent = (h.n * w.n - (h.n - H.u) * (w.n - W.u)) + ' of ' + h.n * w.n;

    var frame = $('frame');
    frame.max = Math.max(positions - 1, 0);
    if (value('frame') > positions - 1) frame.value = 0;
    var f = value('frame'), oy = Math.floor(f / W.o), ox = f % W.o;
    var rows = H.b + h.n + H.a, cols = W.b + w.n + W.a;
    var cell = Math.max(8, Math.min(32, Math.floor(640 / (cols + W.o + 2))));
    var x0 = 24, y0 = 20, ox0 = x0 + (cols + 2) * cell;
    var taps = {};
    for (var i = 0; i < h.k; ++i) {
      for (var j = 0; j < w.k; ++j) {
        taps[(H.t[oy * h.k + i] + H.b) + ',' + (W.t[ox * w.k + j] + W.b)] = true;
      }
    }
    var coverage = $('coverage').checked, most = 0;
    H.r.forEach(function (a) { W.r.forEach(function (b) { most = Math.max(most, a * b); }); });
    var parts = [];
    parts.push('<text x="' + x0 + '" y="12">input ' + h.n + 'x' + w.n + '</text>');
    parts.push('<text x="' + ox0 + '" y="12">output ' + H.o + 'x' + W.o + '</text>');
    for (var r = 0; r < rows; ++r) {
      for (var c = 0; c < cols; ++c) {
        var y = r - H.b, x = c - W.b, key = r + ',' + c;
        var inside = y >= 0 && y < h.n && x >= 0 && x < w.n;
        var fill = inside ? C.input : C.padding, cls = inside ? 'input' : 'padding';
        var reads = inside ? H.r[y] * W.r[x] : 0;
        if (coverage && inside) fill = reads > 0 ? heat(reads, most) : C.skipped;
        if (taps[key]) { fill = inside ? C.tap : C.tapOnPadding; cls = inside ? 'tap' : 'tap-padding'; }
        parts.push(rect(x0 + c * cell, y0 + r * cell, cell, fill, inside ? C.gridLine : C.paddingLine,
                        cls, key));
        if (coverage && inside && cell >= 14) {
          parts.push('<text x="' + (x0 + c * cell + cell / 2) + '" y="' + (y0 + r * cell + cell / 2) +
                     '" text-anchor="middle" dominant-baseline="central">' + reads + '</text>');
        }
      }
    }
    for (var orow = 0; orow < H.o; ++orow) {
      for (var ocol = 0; ocol < W.o; ++ocol) {
        var current = orow === oy && ocol === ox;
        var done = orow * W.o + ocol < f;
        parts.push(rect(ox0 + ocol * cell, y0 + orow * cell, cell,
                        current ? C.tap : (done ? C.outputDone : C.outputEmpty), C.outputLine,
                        current ? 'output-current' : 'output', orow + ',' + ocol,
                        ' data-frame="' + (orow * W.o + ocol) + '"'));
      }
    }
    var first = [H.t[oy * h.k] + H.b, W.t[ox * w.k] + W.b];
    var last = [H.t[oy * h.k + h.k - 1] + H.b, W.t[ox * w.k + w.k - 1] + W.b];
    parts.push('<rect class="window" x="' + (x0 + first[1] * cell) + '" y="' + (y0 + first[0] * cell) +
               '" width="' + (last[1] - first[1] + 1) * cell + '" height="' +
               (last[0] - first[0] + 1) * cell + '" fill="none" stroke="' + C.windowLine +
               '" stroke-width="2"/>');
    svg.setAttribute('width', ox0 + W.o * cell + 8);
    svg.setAttribute('height', y0 + Math.max(rows, H.o) * cell + 8);
    svg.innerHTML = parts.join('');
    $('frame-text').textContent = 'output (' + oy + ', ' + ox + ') reads rows ' +
        H.t[oy * h.k] + '..' + H.t[oy * h.k + h.k - 1] + ', cols ' + W.t[ox * w.k] + '..' +
        W.t[ox * w.k + w.k - 1];
  }

  document.querySelectorAll('#controls input, #controls select, #frame').forEach(function (el) {
    el.addEventListener('input', draw);
    el.addEventListener('change', draw);
  });
  $('picture').addEventListener('click', function (ev) {
    var f = ev.target.getAttribute && ev.target.getAttribute('data-frame');
    if (f !== null && f !== undefined) { $('frame').value = f; draw(); }
  });
  $('play').addEventListener('click', function () {
    if (timer) { clearInterval(timer); timer = null; $('play').textContent = 'Play'; return; }
    $('play').textContent = 'Pause';
    timer = setInterval(function () {
      var frame = $('frame');
      frame.value = value('frame') >= parseInt(frame.max, 10) ? 0 : value('frame') + 1;
      draw();
    }, 700);
  });
  draw();
})();
</script>
</body>
</html>
)html";

}  // namespace

std::string explore_tables_json(const ExploreRanges& ranges) {
  check_range(ranges.max_input, "max_input");
  check_range(ranges.max_kernel, "max_kernel");
  check_range(ranges.max_stride, "max_stride");
  check_range(ranges.max_dilation, "max_dilation");
  const std::vector<std::pair<const char*, Color>> colors = {
      {"input", palette::kInput},
      {"padding", palette::kPadding},
      {"paddingLine", palette::kPaddingLine},
      {"gridLine", palette::kGridLine},
      {"tap", palette::kTap},
      {"tapOnPadding", palette::kTapOnPadding},
      {"windowLine", palette::kWindowLine},
      {"outputEmpty", palette::kOutputEmpty},
      {"outputLine", palette::kOutputLine},
      {"outputDone", palette::kOutputDone},
      {"skipped", palette::kSkipped},
      {"heatLow", palette::kHeatLow},
      {"heatHigh", palette::kHeatHigh}};
  std::string out = fmt::format(
      R"({{"ranges":{{"input":[1,{}],"kernel":[1,{}],"stride":[1,{}],"dilation":[1,{}],)"
      R"("padding":["valid","same"]}},"colors":{{)",
      ranges.max_input, ranges.max_kernel, ranges.max_stride, ranges.max_dilation);
  for (std::size_t i = 0; i < colors.size(); ++i) {
    out +=
        fmt::format("{}\"{}\":\"{}\"", i > 0 ? "," : "", colors[i].first, colors[i].second.hex());
  }
  out += "},\"axes\":[\n";
  bool first = true;
  for (std::int64_t n = 1; n <= ranges.max_input; ++n) {
    for (std::int64_t k = 1; k <= ranges.max_kernel; ++k) {
      for (std::int64_t s = 1; s <= ranges.max_stride; ++s) {
        for (std::int64_t d = 1; d <= ranges.max_dilation; ++d) {
          for (const PaddingKind p : {PaddingKind::kValid, PaddingKind::kSame}) {
            if (!first) out += ",\n";
            first = false;
            out += axis_entry(n, k, s, d, p);
          }
        }
      }
    }
  }
  out += "]}";
  return out;
}

std::string explore_page(const ExploreRanges& ranges) {
  const std::string tables = explore_tables_json(ranges);
  std::string page(kPage);
  const std::string_view marker = "@TABLES@";
  page.replace(page.find(marker), marker.size(), tables);
  return page;
}

}  // namespace strider::viz
