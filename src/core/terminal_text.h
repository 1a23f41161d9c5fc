// Text that reaches a terminal. File names, input keys, batch and recipe names, and the messages
// that quote them come from whoever made the files: they may hold bytes a terminal obeys (an ESC
// sequence that clears the screen or retitles the window, a carriage return that overwrites the
// line, a newline that forges another line) or bytes that are not UTF-8 at all. Every place that
// prints such a string passes it through one of these functions, once, at the sink.
#pragma once

#include <string>
#include <string_view>

namespace pixfleet {

// `text` with everything a terminal could act on rendered visibly, so that every byte of the
// original can be read back from the result:
//   \n \r \t                          as \n \r \t
//   other C0 controls and DEL          as \xHH (ESC is \x1b)
//   C1 controls (U+0080..U+009F), bidirectional overrides and isolates, U+2028 and U+2029
//                                      as \uXXXX
//   bytes that are not valid UTF-8     as \xHH, one per byte
//   a backslash                        as \\ (so that the escapes above are unambiguous)
// Printable ASCII and every other valid UTF-8 character are kept as they are.
std::string TerminalText(std::string_view text);

// A JSON document (valid UTF-8, as nlohmann::json dumps with error_handler_t::replace) with the
// characters JSON leaves raw but a terminal obeys — DEL, the C1 controls, bidirectional
// overrides and isolates, U+2028 and U+2029 — written as \uXXXX escapes. JSON already escapes
// the C0 controls; these may only occur inside strings, where \uXXXX means the same character.
std::string TerminalSafeJson(std::string_view json);

}  // namespace pixfleet
