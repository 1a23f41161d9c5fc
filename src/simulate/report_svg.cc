#include "simulate/report_svg.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "core/xml_escape.h"

namespace pixfleet::simulate {
namespace {

constexpr int kWidth = 760;
constexpr int kLeft = 56;
constexpr int kRight = 56;
constexpr int kPanelHeight = 120;
constexpr int kPanelGap = 34;
constexpr int kTop = 56;
constexpr int kPlotWidth = kWidth - kLeft - kRight;

std::string Format(const char* format, double a, double b) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, a, b);
  return buffer;
}

// A "nice" axis maximum ≥ value: 1, 2 or 5 × 10^k.
double NiceMax(double value) {
  if (value <= 1) return 1;
  double step = 1;
  while (step * 10 < value) step *= 10;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * step >= value) return m * step;
  }
  return 10 * step;
}

using Getter = std::function<double(const SeriesPoint&)>;

// One value per pixel column: the largest value in effect during the column's time span.
std::vector<double> Resample(const std::vector<SeriesPoint>& series, double end_ms,
                             const Getter& get) {
  std::vector<double> columns(kPlotWidth + 1, 0);
  if (series.empty()) return columns;
  size_t i = 0;
  double current = 0;
  for (int c = 0; c <= kPlotWidth; ++c) {
    const double from = end_ms * c / kPlotWidth;
    const double to = end_ms * (c + 1) / kPlotWidth;
    while (i < series.size() && static_cast<double>(series[i].at.count()) <= from) {
      current = get(series[i++]);
    }
    double peak = current;
    while (i < series.size() && static_cast<double>(series[i].at.count()) < to) {
      current = get(series[i++]);
      peak = std::max(peak, current);
    }
    columns[static_cast<size_t>(c)] = peak;
  }
  return columns;
}

std::string Polyline(const std::vector<double>& columns, double y_max, int panel_top,
                     const std::string& css_class, const std::string& label, const char* colour,
                     const char* dash) {
  std::string points;
  for (size_t c = 0; c < columns.size(); ++c) {
    // The middle of a flat run adds nothing to the line.
    const bool flat = c > 0 && c + 1 < columns.size() && columns[c - 1] == columns[c] &&
                      columns[c] == columns[c + 1];
    if (flat) continue;
    const double x = kLeft + static_cast<double>(c);
    const double y = panel_top + kPanelHeight - columns[c] / y_max * kPanelHeight;
    points += Format("%.0f,%.1f ", x, y);
  }
  if (!points.empty()) points.pop_back();
  return "<polyline class=\"" + css_class + "\" data-variant=\"" + XmlEscape(label) +
         "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.5\"" +
         (dash[0] != '\0' ? std::string(" stroke-dasharray=\"") + dash + "\"" : "") + " points=\"" +
         points + "\"/>\n";
}

std::string Text(double x, double y, const std::string& text, const char* anchor = "start",
                 int size = 11) {
  return Format("<text x=\"%.0f\" y=\"%.0f\"", x, y) + " font-size=\"" + std::to_string(size) +
         "\" text-anchor=\"" + anchor + "\">" + XmlEscape(text) + "</text>\n";
}

}  // namespace

std::string SvgChart(const std::vector<SimResult>& results, const std::string& title) {
  double end_ms = 1000;
  for (const SimResult& r : results) end_ms = std::max(end_ms, static_cast<double>(r.end.count()));
  const int height = kTop + static_cast<int>(results.size()) * (kPanelHeight + kPanelGap) + 20;
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
         "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(kWidth) +
         " " + std::to_string(height) + "\" font-family=\"sans-serif\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += Text(kLeft, 20, title, "start", 14);
  svg += Text(kLeft, 40,
              "queue depth (ready + unacked, left axis, blue)   replicas asked (orange, dashed)   "
              "pods alive (grey)   busy pods (green) — right axis",
              "start", 10);
  for (size_t p = 0; p < results.size(); ++p) {
    const SimResult& r = results[p];
    const int top = kTop + static_cast<int>(p) * (kPanelHeight + kPanelGap) + 14;
    const auto queue = Resample(r.series, end_ms, [](const SeriesPoint& s) {
      return static_cast<double>(s.ready + s.unacked);
    });
    const auto replicas = Resample(
        r.series, end_ms, [](const SeriesPoint& s) { return static_cast<double>(s.replicas); });
    const auto pods = Resample(r.series, end_ms,
                               [](const SeriesPoint& s) { return static_cast<double>(s.pods); });
    const auto busy = Resample(r.series, end_ms,
                               [](const SeriesPoint& s) { return static_cast<double>(s.busy); });
    const double queue_max = NiceMax(*std::max_element(queue.begin(), queue.end()));
    const double pods_max = NiceMax(std::max(*std::max_element(pods.begin(), pods.end()),
                                             *std::max_element(replicas.begin(), replicas.end())));
    svg += "<g class=\"panel\" data-variant=\"" + XmlEscape(r.label) + "\">\n";
    svg += Text(kLeft, top - 4, r.label, "start", 12);
    svg += Format("<rect x=\"%.0f\" y=\"%.0f\"", kLeft, top) + " width=\"" +
           std::to_string(kPlotWidth) + "\" height=\"" + std::to_string(kPanelHeight) +
           "\" fill=\"none\" stroke=\"#ccc\"/>\n";
    svg += Text(kLeft - 4, top + 10, Format("%g", queue_max, 0), "end", 10);
    svg += Text(kLeft - 4, top + kPanelHeight, "0", "end", 10);
    svg += Text(kLeft + kPlotWidth + 4, top + 10, Format("%g", pods_max, 0), "start", 10);
    svg += Text(kLeft + kPlotWidth + 4, top + kPanelHeight, "0", "start", 10);
    svg += Text(kLeft + kPlotWidth, top + kPanelHeight + 12, Format("%.0f s", end_ms / 1000, 0),
                "end", 10);
    svg += Polyline(queue, queue_max, top, "queue", r.label, "#1f77b4", "");
    svg += Polyline(pods, pods_max, top, "pods", r.label, "#888888", "");
    svg += Polyline(busy, pods_max, top, "busy", r.label, "#2ca02c", "");
    svg += Polyline(replicas, pods_max, top, "replicas", r.label, "#ff7f0e", "4 3");
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace pixfleet::simulate
