// The SVG writer: items in paint order, runs of items with the same frames grouped, each group
// shown and hidden by one discrete SMIL animation of its visibility (no script).
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <type_traits>
#include <variant>

#include "pixel_font.hpp"
#include "strider/viz/render.hpp"

namespace strider::viz {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// Shortest text that reads back as the same double.
std::string num(double v) { return fmt::format("{}", v); }

std::string hatch_id(Color c) {
  std::string id = "hatch-";
  id += c.hex().substr(1);
  return id;
}

const Visible& visible_of(const Item& item) {
  return std::visit([](const auto& i) -> const Visible& { return i.visible; }, item);
}

void write_box(std::string& out, const Box& b) {
  // The stroke is centred on the path; inset by half its width so it stays inside the box, as
  // the raster writer draws it.
  const double sw = b.stroke ? b.stroke_width : 0;
  const double x = b.x + sw / 2, y = b.y + sw / 2;
  const double w = std::max(0.0, b.w - sw), h = std::max(0.0, b.h - sw);
  std::string attrs;
  if (!b.role.empty()) attrs += fmt::format(" class=\"{}\"", escape(b.role));
  if (b.cell) attrs += fmt::format(" data-cell=\"{},{}\"", b.cell->first, b.cell->second);
  const std::string geometry =
      fmt::format("x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"", num(x), num(y), num(w), num(h));
  const std::string fill = b.fill ? b.fill->hex() : "none";
  const std::string stroke = b.stroke && sw > 0 ? fmt::format(" stroke=\"{}\" stroke-width=\"{}\"",
                                                              b.stroke->hex(), num(sw))
                                                : "";
  if (!b.hatch) {
    out += fmt::format("<rect{} {} fill=\"{}\"{}/>\n", attrs, geometry, fill, stroke);
    return;
  }
  out += fmt::format("<g{}><rect {} fill=\"{}\"/><rect {} fill=\"url(#{})\"{}/></g>\n", attrs,
                     geometry, fill, geometry, hatch_id(*b.hatch), stroke);
}

void write_label(std::string& out, const Label& l) {
  static constexpr const char* kAnchors[] = {"start", "middle", "end"};
  out += fmt::format(
      "<text x=\"{}\" y=\"{}\" font-size=\"{}\" dominant-baseline=\"central\" text-anchor=\"{}\" "
      "fill=\"{}\">{}</text>\n",
      num(l.x), num(l.y), 10 * font_scale(l.size), kAnchors[static_cast<int>(l.anchor)],
      l.color.hex(), escape(l.text));
}

void write_line(std::string& out, const Line& l) {
  std::string attrs;
  if (!l.role.empty()) attrs += fmt::format(" class=\"{}\"", escape(l.role));
  std::string dash;
  if (l.dash) dash = fmt::format(" stroke-dasharray=\"{0} {0}\"", num(*l.dash));
  out += fmt::format(
      "<line{} x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\" "
      "stroke-linecap=\"round\"{}/>\n",
      attrs, num(l.x1), num(l.y1), num(l.x2), num(l.y2), l.color.hex(), num(l.width), dash);
}

void write_circle(std::string& out, const Circle& c) {
  // Inset by half the stroke, as for boxes, so the disc keeps radius r in every writer.
  const double sw = c.stroke ? c.stroke_width : 0;
  std::string attrs;
  if (!c.role.empty()) attrs += fmt::format(" class=\"{}\"", escape(c.role));
  if (c.point) attrs += fmt::format(" data-point=\"{},{}\"", c.point->first, c.point->second);
  const std::string stroke = c.stroke && sw > 0 ? fmt::format(" stroke=\"{}\" stroke-width=\"{}\"",
                                                              c.stroke->hex(), num(sw))
                                                : "";
  out += fmt::format("<circle{} cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"{}/>\n", attrs, num(c.cx),
                     num(c.cy), num(std::max(0.0, c.r - sw / 2)), c.fill ? c.fill->hex() : "none",
                     stroke);
}

// The discrete animation that shows a group in frames [first, last] of each loop.
std::string animation(const Visible& v, std::int64_t frames, std::int64_t frame_ms) {
  const auto at = [&](std::int64_t f) {
    return num(static_cast<double>(f) / static_cast<double>(frames));
  };
  std::string times = "0", values = v.first <= 0 ? "visible" : "hidden";
  if (v.first > 0) {
    times += ';';
    times += at(v.first);
    values += ";visible";
  }
  if (v.last < frames - 1) {
    times += ';';
    times += at(v.last + 1);
    values += ";hidden";
  }
  return fmt::format(
      "<animate attributeName=\"visibility\" calcMode=\"discrete\" begin=\"0s\" dur=\"{}ms\" "
      "repeatCount=\"indefinite\" keyTimes=\"{}\" values=\"{}\"/>\n",
      frames * frame_ms, times, values);
}

}  // namespace

std::string to_svg(const Scene& scene) {
  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" data-frames=\"{2}\" "
      "data-frame-ms=\"{3}\">\n",
      num(scene.width), num(scene.height), scene.frames, scene.frame_ms);
  if (!scene.title.empty()) out += fmt::format("<title>{}</title>\n", escape(scene.title));

  std::set<std::string> hatches;
  for (const Item& item : scene.items) {
    if (const Box* b = std::get_if<Box>(&item); b != nullptr && b->hatch) {
      if (hatches.insert(b->hatch->hex()).second) {
        out += fmt::format(
            "<defs><pattern id=\"{}\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\">"
            "<path d=\"M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2\" stroke=\"{}\" stroke-width=\"1\"/>"
            "</pattern></defs>\n",
            hatch_id(*b->hatch), b->hatch->hex());
      }
    }
  }
  out +=
      fmt::format("<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>\n", scene.background.hex());

  const std::int64_t frames = std::max<std::int64_t>(1, scene.frames);
  for (std::size_t i = 0; i < scene.items.size();) {
    const Visible& v = visible_of(scene.items[i]);
    std::size_t end = i + 1;
    while (end < scene.items.size() && visible_of(scene.items[end]) == v) ++end;
    if (v.first < frames && v.last >= 0 && v.first <= v.last) {
      const bool always = v.first <= 0 && v.last >= frames - 1;
      if (always) {
        out += "<g>\n";
      } else {
        out += fmt::format("<g visibility=\"{}\" data-frames=\"{}-{}\">\n",
                           v.first <= 0 ? "visible" : "hidden", std::max<std::int64_t>(0, v.first),
                           std::min(frames - 1, v.last));
        out += animation(v, frames, scene.frame_ms);
      }
      for (std::size_t k = i; k < end; ++k) {
        std::visit(
            [&out](const auto& item) {
              using T = std::decay_t<decltype(item)>;
              if constexpr (std::is_same_v<T, Box>) {
                write_box(out, item);
              } else if constexpr (std::is_same_v<T, Label>) {
                write_label(out, item);
              } else if constexpr (std::is_same_v<T, Line>) {
                write_line(out, item);
              } else {
                write_circle(out, item);
              }
            },
            scene.items[k]);
      }
      out += "</g>\n";
    }
    i = end;
  }
  out += "</svg>\n";
  return out;
}

}  // namespace strider::viz
