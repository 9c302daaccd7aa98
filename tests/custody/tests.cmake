# Custody tests: evidence vault, keys, checkpoints, verify and the tamper
# tests, on both backends, and `chainbreak audit verify|checkpoint` run as a
# process on the same databases.
#   custody_sqlite    SQLite in a temporary directory; the PostgreSQL cases
#                     report SKIPPED (CHAINBREAK_TEST_PG is unset for it).
#   custody_postgres  the PostgreSQL cases against a real, throwaway server
#                     started by scripts/with-postgres.sh.
find_package(PostgreSQL REQUIRED)
find_package(SQLite3 REQUIRED)
add_executable(chainbreak_custody_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/custody/custody_fixture.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/custody/keys_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/custody/vault_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/custody/verify_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/custody/tamper_test.cc
)
target_link_libraries(chainbreak_custody_tests PRIVATE chainbreak_custody chainbreak_store PostgreSQL::PostgreSQL
                      SQLite::SQLite3 GTest::gtest_main)
# The CLI cases run the chainbreak executable built beside the tests.
target_compile_definitions(chainbreak_custody_tests PRIVATE CHAINBREAK_BIN="$<TARGET_FILE:chainbreak>")
add_dependencies(chainbreak_custody_tests chainbreak)

add_test(NAME custody_sqlite COMMAND chainbreak_custody_tests)
set_tests_properties(custody_sqlite PROPERTIES ENVIRONMENT_MODIFICATION "CHAINBREAK_TEST_PG=unset:" TIMEOUT 600)
add_test(NAME custody_postgres
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh $<TARGET_FILE:chainbreak_custody_tests>
                 --gtest_filter=Postgres/*)
set_tests_properties(custody_postgres PROPERTIES RESOURCE_LOCK chainbreak_postgres TIMEOUT 600)
