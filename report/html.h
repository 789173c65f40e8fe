// Renders the model as one self-contained HTML page: inline CSS, inline SVG,
// a small inline script that only adds sorting and filtering, and a Content
// Security Policy that forbids every network request. Everything important
// (overview, finding list, finding details) is plain HTML that works without
// JavaScript.
#pragma once

#include <string>

#include "report/model.h"

namespace sw::report {

struct RenderOptions {
    std::string title = "stagewatch report";
    std::string generated_by = "stagewatch 0.1.0";
};

std::string render_html(const Model& m, const RenderOptions& opt = {});

}  // namespace sw::report
