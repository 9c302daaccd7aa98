// Per-format reader and writer factories behind open_reader/open_writer.
// Internal to lists/.
#pragma once

#include <cstdio>
#include <memory>

#include "lists/hash_list.h"
#include "lists/input.h"

namespace chainbreak::lists {

std::unique_ptr<Reader> make_plain_reader(std::unique_ptr<Input> in, store::SignalType type);
std::unique_ptr<Writer> make_plain_writer(std::FILE* out);

std::unique_ptr<Reader> make_csv_reader(std::unique_ptr<Input> in, store::SignalType default_type);
std::unique_ptr<Writer> make_csv_writer(std::FILE* out);

std::unique_ptr<Reader> make_ncmec_reader(std::unique_ptr<Input> in);
Result<std::unique_ptr<Writer>> make_ncmec_writer(std::FILE* out);

// Appends s with '\\', TAB, LF and CR escaped as \\ \t \n \r (plain lists).
void append_escaped(std::string_view s, std::string* out);
// Reverses append_escaped, also reading \= as '=' (how the plain writer
// keeps an id like "source_org=x" from reading as a key); a backslash
// before any other byte stays as is.
// Returns s itself when it has no backslash, else the text in *storage.
std::string_view unescape(std::string_view s, std::string* storage);

}  // namespace chainbreak::lists
