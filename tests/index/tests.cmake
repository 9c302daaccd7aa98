# Index tests: every fast path against the brute-force oracle.
add_executable(chainbreak_index_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/index/index_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/index/index_concurrency_test.cc
)
target_link_libraries(chainbreak_index_tests PRIVATE chainbreak_index GTest::gtest_main)
gtest_discover_tests(chainbreak_index_tests DISCOVERY_TIMEOUT 60)
