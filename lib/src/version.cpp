#include "tonearm/version.hpp"

namespace tonearm {

std::string_view version() noexcept { return TONEARM_VERSION; }

}  // namespace tonearm
