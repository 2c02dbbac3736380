// The detection engine with the default checks, compiled once for every
// program and test of this build (the rustguard::engine target): each unit
// that includes detection_engine.hpp sees RUSTGUARD_EXTERN_DEFAULT_ENGINE and
// leaves the engine's packet readers to this one. Header-only users of
// include/rustguard (the fuzz targets here) do without it.
#include "rustguard/engine/detection_engine.hpp"

template class rustguard::engine::BasicDetectionEngine<rustguard::checks::DefaultChecks>;
