// PostgreSQL URL hygiene: see the header. The password spans are found once, then either masked
// in place (RedactPostgresUrl) or collected, with their decoded forms, and masked wherever they
// occur (ScrubPassword).
#include "results/postgres/pg_url.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "core/percent_decode.h"

namespace pixfleet {
namespace {

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

size_t SchemeLength(std::string_view url) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (StartsWith(url, scheme)) return scheme.size();
  }
  return 0;
}

// Length of any "scheme://" prefix (letters, digits, '+', '-', '.'), 0 if none: a URL given
// with the wrong scheme is still redacted as a URI.
size_t AnySchemeLength(std::string_view url) {
  const size_t separator = url.find("://");
  if (separator == std::string_view::npos || separator == 0) return 0;
  for (char c : url.substr(0, separator)) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '-' && c != '.') {
      return 0;
    }
  }
  return separator + 3;
}

// Spans of the values of `password=` parameters in a URI query string starting at `from`.
void QueryPasswordSpans(std::string_view url, size_t from, std::vector<Span>& spans) {
  size_t pos = from;
  while (pos < url.size()) {
    size_t end = url.find('&', pos);
    if (end == std::string_view::npos) end = url.size();
    const std::string_view param = url.substr(pos, end - pos);
    constexpr std::string_view kKey = "password=";
    if (StartsWith(param, kKey)) spans.push_back({pos + kKey.size(), end});
    pos = end + 1;
  }
}

void UriPasswordSpans(std::string_view url, size_t scheme_length, std::vector<Span>& spans) {
  const size_t authority_end = std::min(url.find('/', scheme_length), url.find('?', scheme_length));
  const std::string_view authority = url.substr(
      scheme_length, authority_end == std::string_view::npos ? std::string_view::npos
                                                             : authority_end - scheme_length);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const size_t colon = authority.substr(0, at).find(':');
    if (colon != std::string_view::npos) {
      spans.push_back({scheme_length + colon + 1, scheme_length + at});
    }
  }
  const size_t query = url.find('?', scheme_length);
  if (query != std::string_view::npos) QueryPasswordSpans(url, query + 1, spans);
}

// Keyword form: password = value, the value bare or single-quoted with backslash escapes.
void KeywordPasswordSpans(std::string_view url, std::vector<Span>& spans) {
  size_t pos = 0;
  while ((pos = url.find("password", pos)) != std::string_view::npos) {
    const bool at_word_start =
        pos == 0 || std::isspace(static_cast<unsigned char>(url[pos - 1])) != 0;
    size_t i = pos + 8;
    pos = i;
    if (!at_word_start) continue;
    while (i < url.size() && std::isspace(static_cast<unsigned char>(url[i])) != 0) ++i;
    if (i >= url.size() || url[i] != '=') continue;
    ++i;
    while (i < url.size() && std::isspace(static_cast<unsigned char>(url[i])) != 0) ++i;
    size_t end = i;
    if (end < url.size() && url[end] == '\'') {
      ++end;
      while (end < url.size() && url[end] != '\'') end += url[end] == '\\' ? size_t{2} : size_t{1};
      end = std::min(end + 1, url.size());
    } else {
      while (end < url.size() && std::isspace(static_cast<unsigned char>(url[end])) == 0) ++end;
    }
    if (end > i) spans.push_back({i, end});
    pos = end;
  }
}

std::vector<Span> PasswordSpans(std::string_view url) {
  std::vector<Span> spans;
  const size_t scheme_length = AnySchemeLength(url);
  if (scheme_length > 0) {
    UriPasswordSpans(url, scheme_length, spans);
  } else {
    KeywordPasswordSpans(url, spans);
  }
  std::sort(spans.begin(), spans.end(), [](Span a, Span b) { return a.begin < b.begin; });
  return spans;
}

// The keyword form's quoted value without its quotes and escapes.
std::string Unquote(std::string_view text) {
  if (text.size() < 2 || text.front() != '\'') return std::string(text);
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == '\\' && i + 2 < text.size()) ++i;
    out.push_back(text[i]);
  }
  return out;
}

void ReplaceAll(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), kRedactedPassword);
    pos += kRedactedPassword.size();
  }
}

}  // namespace

std::string RedactPostgresUrl(std::string_view url) {
  std::string out(url);
  const std::vector<Span> spans = PasswordSpans(url);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->begin, it->end - it->begin, kRedactedPassword);
  }
  return out;
}

std::string ScrubPassword(std::string_view text, std::string_view url) {
  std::string out(text);
  std::vector<std::string> secrets;
  for (const Span& span : PasswordSpans(url)) {
    const std::string_view raw = url.substr(span.begin, span.end - span.begin);
    secrets.emplace_back(raw);
    secrets.push_back(PercentDecode(raw));
    secrets.push_back(Unquote(raw));
  }
  // Longest first, so that a secret containing another is masked whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& secret : secrets) ReplaceAll(out, secret);
  return out;
}

bool HasPostgresScheme(std::string_view url) { return SchemeLength(url) > 0; }

}  // namespace pixfleet
