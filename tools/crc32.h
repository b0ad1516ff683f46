// CRC-32 (the polynomial of zlib, PNG and Ethernet: reflected 0xEDB88320, initial and final
// value 0xFFFFFFFF), so a checkpoint's checksum can be verified with any standard tool. It
// detects every burst error up to 32 bits and all odd numbers of flipped bits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace utrain::tools {

// crc32 of `bytes`; pass a previous result as `crc` to continue over more bytes.
uint32_t crc32(std::span<const std::byte> bytes, uint32_t crc = 0);

}  // namespace utrain::tools
