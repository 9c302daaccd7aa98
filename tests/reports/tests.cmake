# Reports to authorities: CyberTipline XML writer (read back with expat),
# validation, response parser, report.json, the client against the real
# fake service process on loopback, DSA statements.
add_executable(chainbreak_reports_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/reports/report_samples.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/reports/cybertip_xml_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/reports/cybertip_validate_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/reports/cybertip_client_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/reports/dsa_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/reports/from_case_test.cc
)
target_include_directories(chainbreak_reports_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(chainbreak_reports_tests PRIVATE
  chainbreak_reports nlohmann_json::nlohmann_json GTest::gtest_main)
add_dependencies(chainbreak_reports_tests chainbreak-fake-cybertip)
target_compile_definitions(chainbreak_reports_tests PRIVATE
  CHAINBREAK_FAKE_CYBERTIP="$<TARGET_FILE:chainbreak-fake-cybertip>")
gtest_discover_tests(chainbreak_reports_tests TEST_PREFIX "reports." DISCOVERY_TIMEOUT 60)

# The `chainbreak report` command line against the fake.
add_test(NAME reports.cli
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/reports/report_cli_test.sh $<TARGET_FILE:chainbreak>
                 $<TARGET_FILE:chainbreak-fake-cybertip>)
set_tests_properties(reports.cli PROPERTIES TIMEOUT 120)
