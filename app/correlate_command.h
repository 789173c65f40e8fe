// `stagewatch correlate`: the fleet correlator (docs/fleet.md).
#pragma once

namespace sw {

int correlate_command(int argc, char** argv);

}  // namespace sw
