# Payment screening: parser, rules, features against a brute-force oracle,
# decisions, redress, journal and snapshots, kill -9 recovery; the CLI
# contract (Python).
add_executable(chainbreak_payments_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/payments/parser_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/payments/rules_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/payments/features_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/payments/decision_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/payments/journal_test.cc
)
target_include_directories(chainbreak_payments_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(chainbreak_payments_tests PRIVATE chainbreak_payments GTest::gtest_main)
target_compile_definitions(chainbreak_payments_tests PRIVATE
  CHAINBREAK_PAY_RULES_FILE="${PROJECT_SOURCE_DIR}/rules/payments.yaml"
  CHAINBREAK_BIN="$<TARGET_FILE:chainbreak>")
add_dependencies(chainbreak_payments_tests chainbreak)
gtest_discover_tests(chainbreak_payments_tests DISCOVERY_TIMEOUT 60)

find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME payments_cli_contract
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/payments/cli_test.py $<TARGET_FILE:chainbreak>
                   ${PROJECT_SOURCE_DIR}/rules/payments.yaml)
  set_tests_properties(payments_cli_contract PROPERTIES TIMEOUT 600)
endif()
