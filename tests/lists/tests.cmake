# Hash-list formats: readers, writers, round trips, the CSV tokenizer.
add_executable(chainbreak_lists_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/lists/fields_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/lists/csv_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/lists/plain_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/lists/hma_csv_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/lists/ncmec_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/lists/roundtrip_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/lists/list_test_support.cc
)
target_include_directories(chainbreak_lists_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(chainbreak_lists_tests PRIVATE chainbreak_lists nlohmann_json::nlohmann_json GTest::gtest_main)
gtest_discover_tests(chainbreak_lists_tests TEST_PREFIX "lists." DISCOVERY_TIMEOUT 60)
