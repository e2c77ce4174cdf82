#pragma once

// check_file's verifiers: one per container (containers/container.hpp). Each fills a
// CheckResult from the file's bytes and its decoded audio. Internal to the library.

#include "byte_source.hpp"
#include "containers/container.hpp"
#include "tonearm/batch_check.hpp"

#include <filesystem>

namespace tonearm::detail {

// Hands the file to its container's verifier.
void verify(Container container, const std::filesystem::path& path, FileBytes& bytes, CheckResult& result);

// FLAC (containers/flac.cpp): decoded by libFLAC itself, which checks every frame's CRC and
// the audio's MD5 as `flac -t` does.
void verify_flac(ByteSource& bytes, CheckResult& result);

// Every other container: decoded by tonearm's Decoder, then judged against what a walk through
// the container found (`facts`).
void verify_decoded(const std::filesystem::path& path, const ContainerFacts& facts, CheckResult& result);

void fail(CheckResult& result, CheckCategory category, std::string message);

}  // namespace tonearm::detail
