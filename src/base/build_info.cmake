# Writes OUT (base/build_info.h) from IN with the git commit of SOURCE_DIR, "-dirty" when tracked
# files differ from it. Runs on every build (target wei_build_info), and configure_file leaves OUT
# untouched when nothing changed, so only its one includer recompiles after a commit.
execute_process(COMMAND git rev-parse HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE WEI_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE WEI_GIT_DIRTY OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT WEI_GIT_COMMIT)
  set(WEI_GIT_COMMIT "unknown")
elseif(WEI_GIT_DIRTY)
  set(WEI_GIT_COMMIT "${WEI_GIT_COMMIT}-dirty")
endif()
configure_file(${IN} ${OUT} @ONLY)
