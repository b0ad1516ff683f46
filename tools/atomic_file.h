// Writing a file so that readers only ever see the old content or the complete new one.
//
// The bytes go to a temporary file in the target's directory (same file system, so the final
// rename is atomic), which is flushed and fsync'ed before rename() replaces the target; the
// directory is fsync'ed after, so the rename itself survives a power cut. On any failure the
// temporary file is removed, the target is left untouched, and a ToolError says what failed.
#pragma once
#include <cstddef>
#include <filesystem>
#include <span>

namespace utrain::tools {

void write_file_atomically(const std::filesystem::path& target, std::span<const std::byte> bytes);

}  // namespace utrain::tools
