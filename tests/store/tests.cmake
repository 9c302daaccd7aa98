# Store tests: one parameterised suite run against both backends.
#   store_sqlite    SQLite in a temporary directory; the PostgreSQL cases
#                   report SKIPPED (CHAINBREAK_TEST_PG is unset for it).
#   store_postgres  the PostgreSQL cases against a real, throwaway server
#                   started by scripts/with-postgres.sh.
find_package(PostgreSQL REQUIRED)
find_package(SQLite3 REQUIRED)
add_executable(chainbreak_store_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_fixture.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_bank_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_entry_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_changes_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_schema_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/schema_steps_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/service_store_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/service_outbox_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/case_store_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/case_intake_oracle_test.cc
)
target_link_libraries(chainbreak_store_tests PRIVATE chainbreak_store PostgreSQL::PostgreSQL SQLite::SQLite3 OpenSSL::Crypto
                      GTest::gtest_main
                      Threads::Threads)

add_test(NAME store_sqlite COMMAND chainbreak_store_tests)
set_tests_properties(store_sqlite PROPERTIES ENVIRONMENT_MODIFICATION "CHAINBREAK_TEST_PG=unset:" TIMEOUT 600)
add_test(NAME store_postgres
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh $<TARGET_FILE:chainbreak_store_tests>
                 --gtest_filter=Postgres/*)
# One throwaway server at a time per ctest run (each uses its own directory
# and socket, so this only bounds memory and CPU on small machines).
set_tests_properties(store_postgres PROPERTIES RESOURCE_LOCK chainbreak_postgres TIMEOUT 600)
