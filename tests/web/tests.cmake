# Browser tests of the reporting portal and the review console (issue 5):
# real headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM) driven
# by playwright-core from tests/web/package-lock.json (`npm ci --prefix
# tests/web` beforehand when the test machine has no network). Reports to
# NCMEC go to the local fake chainbreak-fake-cybertip (tools/). Screenshots
# of every step: tests/web/artifacts (or $ARTIFACTS_DIR).
add_test(NAME web_browser
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/web/run_browser_tests.sh $<TARGET_FILE:chainbreak>
                 $<TARGET_FILE:chainbreak-fake-cybertip>)
set_tests_properties(web_browser PROPERTIES TIMEOUT 300)
