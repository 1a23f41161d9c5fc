// Redaction of connection strings: see the header. The secret spans of a text are found once
// (URL user-info and query parameters inside each "scheme://..." token, keyword pairs outside
// them), then either masked in place (RedactSecrets) or collected in their echoed forms
// (SecretsOf) to be masked wherever they occur (ScrubSecrets).
#include "core/redact.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>

#include "core/percent_decode.h"

namespace pixfleet {
namespace {

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

bool IsSecretName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view part : {"pass", "secret", "token", "signature"}) {
    if (lower.find(part) != std::string::npos) return true;
  }
  return lower == "pwd";
}

// The last `c` in text[0, end), or npos.
size_t LastBefore(std::string_view text, char c, size_t end) {
  return end == 0 ? std::string_view::npos : text.substr(0, end).rfind(c);
}

// Secret-named query parameters of the URL token `token` (which starts at `offset` in the text).
void QuerySpans(std::string_view token, size_t offset, std::vector<Span>& spans) {
  const size_t question = token.find('?');
  if (question == std::string_view::npos) return;
  size_t pos = question + 1;
  while (pos < token.size()) {
    size_t piece_end = token.find_first_of("&#", pos);
    if (piece_end == std::string_view::npos) piece_end = token.size();
    const std::string_view piece = token.substr(pos, piece_end - pos);
    const size_t eq = piece.find('=');
    if (eq != std::string_view::npos && eq + 1 < piece.size() &&
        IsSecretName(PercentDecode(piece.substr(0, eq)))) {
      spans.push_back({offset + pos + eq + 1, offset + piece_end});
    }
    if (piece_end < token.size() && token[piece_end] == '#') break;
    pos = piece_end + 1;
  }
}

// Every "scheme://..." token of `text` (to the next space): the password of its user-info and
// its secret query parameters go to `spans`, the token itself to `tokens`.
void UrlSpans(std::string_view text, std::vector<Span>& spans, std::vector<Span>& tokens) {
  size_t search = 0;
  size_t separator = 0;
  while ((separator = text.find("://", search)) != std::string_view::npos) {
    const size_t begin = separator + 3;
    size_t end = begin;
    while (end < text.size() && !IsSpace(text[end])) ++end;
    tokens.push_back({begin, end});
    const std::string_view token = text.substr(begin, end - begin);
    const size_t authority_end = std::min(token.find_first_of("/?#"), token.size());
    const size_t colon = token.find(':');
    const size_t at = LastBefore(token, '@', authority_end);
    if (at != std::string_view::npos) {
      if (colon < at) spans.push_back({begin + colon + 1, begin + at});
    } else if (colon < authority_end) {
      // No '@' in the authority but one further on: a password holding '/', '?' or '#' may have
      // cut the authority short. Mask to that '@' rather than leave a piece of it.
      const size_t late_at = token.rfind('@');
      if (late_at != std::string_view::npos) spans.push_back({begin + colon + 1, begin + late_at});
    }
    QuerySpans(token, begin, spans);
    search = std::max(end, begin);
  }
}

// libpq's keyword form outside URL tokens: NAME = VALUE, the value bare (to the next space) or
// single-quoted with backslash escapes.
void KeywordSpans(std::string_view text, const std::vector<Span>& tokens,
                  std::vector<Span>& spans) {
  auto skip_spaces = [&](size_t i) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    return i;
  };
  auto next_token = tokens.begin();
  size_t i = 0;
  while (i < text.size()) {
    while (next_token != tokens.end() && next_token->end <= i) ++next_token;
    if (next_token != tokens.end() && next_token->begin <= i) {
      i = next_token->end;
      continue;
    }
    if (!IsWordChar(text[i]) || (i > 0 && IsWordChar(text[i - 1]))) {
      ++i;
      continue;
    }
    size_t word_end = i;
    while (word_end < text.size() && IsWordChar(text[word_end])) ++word_end;
    const std::string_view name = text.substr(i, word_end - i);
    size_t value = skip_spaces(word_end);
    if (value >= text.size() || text[value] != '=' || !IsSecretName(name)) {
      i = word_end;
      continue;
    }
    value = skip_spaces(value + 1);
    size_t value_end = value;
    if (value_end < text.size() && text[value_end] == '\'') {
      ++value_end;
      while (value_end < text.size() && text[value_end] != '\'') {
        value_end += text[value_end] == '\\' ? size_t{2} : size_t{1};
      }
      value_end = std::min(value_end + 1, text.size());
    } else {
      while (value_end < text.size() && !IsSpace(text[value_end])) ++value_end;
    }
    if (value_end > value) spans.push_back({value, value_end});
    i = std::max(value_end, word_end);
  }
}

// The secret spans of `text`, sorted and merged.
std::vector<Span> SecretSpans(std::string_view text) {
  std::vector<Span> spans;
  std::vector<Span> tokens;
  UrlSpans(text, spans, tokens);
  KeywordSpans(text, tokens, spans);
  std::sort(spans.begin(), spans.end(), [](Span a, Span b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (const Span& span : spans) {
    if (span.end <= span.begin) continue;
    if (!merged.empty() && span.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, span.end);
    } else {
      merged.push_back(span);
    }
  }
  return merged;
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

void SortLongestFirst(std::vector<std::string>& secrets) {
  std::erase_if(secrets, [](const std::string& secret) { return secret.empty(); });
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
}

// The scheme of `url` for a message, or "" when it is not a plausible scheme (it might then be
// anything the user typed, a password included).
std::string SchemeForMessage(std::string_view url) {
  const std::string_view scheme = url.substr(0, url.find("://"));
  const bool plausible =
      !scheme.empty() && scheme.size() <= 16 &&
      std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
      });
  return plausible ? std::string(scheme) + " " : std::string();
}

struct ProcessSecrets {
  std::mutex mutex;
  std::vector<std::string> secrets;  // longest first
};

ProcessSecrets& Registry() {
  static ProcessSecrets registry;
  return registry;
}

// Registered secrets are masked wherever they occur in a line, as substrings. One shorter than
// this would mask ordinary text ("a" or "42" as a password would blank every such letter or
// number, and the user could no longer read a single line); such short secrets are still masked
// where RedactSecrets finds them by position (a URL's password, a secret-named parameter).
constexpr size_t kShortestRegisteredSecret = 4;

void Register(std::vector<std::string> more) {
  std::erase_if(
      more, [](const std::string& secret) { return secret.size() < kShortestRegisteredSecret; });
  ProcessSecrets& registry = Registry();
  const std::lock_guard lock(registry.mutex);
  registry.secrets.insert(registry.secrets.end(), std::make_move_iterator(more.begin()),
                          std::make_move_iterator(more.end()));
  SortLongestFirst(registry.secrets);
}

}  // namespace

std::string RedactSecrets(std::string_view text) {
  std::string out(text);
  const std::vector<Span> spans = SecretSpans(text);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->begin, it->end - it->begin, kRedacted);
  }
  return out;
}

std::vector<std::string> SecretsOf(std::string_view connection) {
  std::vector<std::string> secrets;
  for (const Span& span : SecretSpans(connection)) {
    const std::string_view raw = connection.substr(span.begin, span.end - span.begin);
    secrets.emplace_back(raw);
    secrets.push_back(PercentDecode(raw));
    secrets.push_back(Unquote(raw));
  }
  SortLongestFirst(secrets);
  return secrets;
}

std::string ScrubSecrets(std::string_view text, std::span<const std::string> secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return RedactSecrets(out);
}

std::string ScrubSecrets(std::string_view text, std::string_view connection) {
  return ScrubSecrets(text, SecretsOf(connection));
}

Status CheckUserinfoUnambiguous(std::string_view url) {
  const size_t separator = url.find("://");
  if (separator == std::string_view::npos) return Status::Ok();
  auto refuse = [&](std::string_view what) {
    return InvalidArgument("the " + SchemeForMessage(url) + "URL " + std::string(what) +
                           ", so its password cannot be told from its host; percent-encode these "
                           "characters in the user name and password: '@' as %40, ':' as %3A, "
                           "'/' as %2F, '?' as %3F, '#' as %23, a space as %20");
  };
  if (std::any_of(url.begin(), url.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte <= 0x20 || byte == 0x7F;
      })) {
    return refuse("holds a space or a control character");
  }
  const std::string_view rest = url.substr(separator + 3);
  const size_t at = rest.find('@');
  if (at == std::string_view::npos) return Status::Ok();
  if (rest.find('@', at + 1) != std::string_view::npos) return refuse("holds more than one '@'");
  const std::string_view userinfo = rest.substr(0, at);
  if (userinfo.find_first_of("/?#") != std::string_view::npos) {
    return refuse("has a '/', '?' or '#' before its '@'");
  }
  if (std::count(userinfo.begin(), userinfo.end(), ':') > 1) {
    return refuse("has more than one ':' before its '@'");
  }
  return Status::Ok();
}

void RegisterSecretsOf(std::string_view connection) { Register(SecretsOf(connection)); }

// Called by main() before any thread exists, when getenv cannot race a setenv.
// NOLINTBEGIN(concurrency-mt-unsafe)
void RegisterEnvironmentSecrets() {
  std::vector<std::string> secrets;
  for (const char* name :
       {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PGPASSWORD", "PGSSLPASSWORD"}) {
    if (const char* value = std::getenv(name); value != nullptr) secrets.emplace_back(value);
  }
  if (const char* endpoint = std::getenv("AWS_ENDPOINT_URL"); endpoint != nullptr) {
    for (std::string& secret : SecretsOf(endpoint)) secrets.push_back(std::move(secret));
  }
  Register(std::move(secrets));
}
// NOLINTEND(concurrency-mt-unsafe)

std::string ScrubForOutput(std::string_view text) {
  ProcessSecrets& registry = Registry();
  const std::lock_guard lock(registry.mutex);
  return ScrubSecrets(text, registry.secrets);
}

}  // namespace pixfleet
