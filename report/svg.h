// The report's pictures, drawn as inline SVG by our own code (no canvas, no
// library): text inside them can be searched and copied, and they print.
// Every shape that carries meaning also differs in form, not only in colour
// (solid/dashed edges, square/circle/diamond marks, hatched windows), so the
// pictures read in greyscale.
#pragma once

#include <string>

#include "report/model.h"

namespace sw::report {

// Sources -> target (or servers -> collector): one node per source
// (<g class="source" data-host=...>), edge width by bytes, archive count on the
// edge, encrypted sessions dashed and labelled; onward pushes drawn to the right.
std::string convergence_svg(const Finding& f, const ModelLimits& lim);

// One lane per source; each file write/read a mark (archives as diamonds, SSH
// sessions as triangles, connections as thin bars); the window that fired hatched.
std::string timeline_svg(const Finding& f, const ModelLimits& lim);

// Bytes in (solid) and out (hatched) per volume.log interval.
std::string volume_svg(const HostInfo& h);

// Shared <defs> (hatch patterns, arrow head), written once per page.
std::string svg_defs();

}  // namespace sw::report
