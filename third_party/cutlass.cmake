# CUTLASS headers come from the installed `nvidia-cutlass` wheel (cutlass_library/source/include); nothing is
# vendored.  Tested with nvidia-cutlass 4.2.0.0 (CUTLASS 4.2).  Override with -DCUTLASS_INCLUDE_DIR=/path/to/include.
if(NOT CUTLASS_INCLUDE_DIR)
  find_package(Python3 COMPONENTS Interpreter REQUIRED)
  execute_process(
    COMMAND "${Python3_EXECUTABLE}" -c
      "import importlib.util as u, os; s = u.find_spec('cutlass_library'); print(os.path.join(s.submodule_search_locations[0], 'source', 'include') if s else '')"
    OUTPUT_VARIABLE _ct3d_cutlass_inc OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(CUTLASS_INCLUDE_DIR "${_ct3d_cutlass_inc}" CACHE PATH "CUTLASS include directory")
endif()
if(NOT EXISTS "${CUTLASS_INCLUDE_DIR}/cutlass/cutlass.h")
  message(FATAL_ERROR "CUTLASS headers not found (looked in '${CUTLASS_INCLUDE_DIR}'). "
                      "Install them with `pip install --no-deps nvidia-cutlass` or pass -DCUTLASS_INCLUDE_DIR=...")
endif()
file(STRINGS "${CUTLASS_INCLUDE_DIR}/cutlass/version.h" _ct3d_v REGEX "#define CUTLASS_(MAJOR|MINOR) ")
message(STATUS "cutlass_convt3d: CUTLASS headers ${CUTLASS_INCLUDE_DIR} (${_ct3d_v})")
