# Banks (BankSet) over both stores, with the store tests' fixture.
add_executable(chainbreak_banks_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/banks/bank_set_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_fixture.cc
)
target_include_directories(chainbreak_banks_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(chainbreak_banks_tests PRIVATE chainbreak_banks PostgreSQL::PostgreSQL SQLite::SQLite3
                      GTest::gtest_main)
add_test(NAME banks_sqlite COMMAND chainbreak_banks_tests --gtest_filter=Sqlite/*)
set_tests_properties(banks_sqlite PROPERTIES ENVIRONMENT_MODIFICATION "CHAINBREAK_TEST_PG=unset:" TIMEOUT 600)
add_test(NAME banks_postgres
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh $<TARGET_FILE:chainbreak_banks_tests>
                 --gtest_filter=Postgres/*)
set_tests_properties(banks_postgres PROPERTIES RESOURCE_LOCK chainbreak_postgres TIMEOUT 600)
