# cmake -DSOURCE_DIR= -DVERSION= -DRECIPES_FROM_BINARY= -DTEMPLATE= -DOUTPUT= -P WriteBuildInfo.cmake
# Writes OUTPUT from TEMPLATE with PIXFLEET_VERSION, PIXFLEET_RECIPES_FROM_BINARY and PIXFLEET_COMMIT (the checkout's commit,
# "-dirty" when tracked files differ from it; empty outside a git checkout or without git).
set(PIXFLEET_VERSION ${VERSION})
set(PIXFLEET_RECIPES_FROM_BINARY ${RECIPES_FROM_BINARY})
set(PIXFLEET_COMMIT "")
find_program(GIT git)
if(GIT AND EXISTS ${SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} rev-parse --short=12 HEAD
    RESULT_VARIABLE failed OUTPUT_VARIABLE commit ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT failed AND commit)
    execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} status --porcelain --untracked-files=no
      RESULT_VARIABLE failed OUTPUT_VARIABLE changes ERROR_QUIET)
    if(NOT failed AND changes)
      string(APPEND commit "-dirty")
    endif()
    set(PIXFLEET_COMMIT ${commit})
  endif()
endif()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)  # leaves OUTPUT untouched when nothing changed
