# Pipeline: rules and the rate alarm (pure), the engine and the per-content
# process over both stores (with the store tests' fixture).
add_executable(chainbreak_pipeline_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/pipeline/rules_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/pipeline/engine_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_fixture.cc
)
target_include_directories(chainbreak_pipeline_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(chainbreak_pipeline_tests PRIVATE chainbreak_pipeline PostgreSQL::PostgreSQL SQLite::SQLite3
                      GTest::gtest_main)
add_test(NAME pipeline_sqlite COMMAND chainbreak_pipeline_tests --gtest_filter=Sqlite/*:RulesTest.*:RateAlarmTest.*)
set_tests_properties(pipeline_sqlite PROPERTIES ENVIRONMENT_MODIFICATION "CHAINBREAK_TEST_PG=unset:" TIMEOUT 600)
add_test(NAME pipeline_postgres
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh $<TARGET_FILE:chainbreak_pipeline_tests>
                 --gtest_filter=Postgres/*)
set_tests_properties(pipeline_postgres PROPERTIES RESOURCE_LOCK chainbreak_postgres TIMEOUT 600)
