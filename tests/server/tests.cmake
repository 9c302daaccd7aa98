# The generic HTTP layer: server over real loopback sockets (plain and TLS),
# router, multipart parser, webhook client.
find_package(Boost 1.74 REQUIRED COMPONENTS system)
add_executable(chainbreak_http_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/server/http_test_support.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/server/http_util_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/server/http_multipart_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/server/http_server_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/server/http_limits_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/server/http_tls_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/server/http_client_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/server/http_defer_test.cc
)
target_include_directories(chainbreak_http_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(chainbreak_http_tests PRIVATE
  chainbreak_http Boost::headers Boost::system nlohmann_json::nlohmann_json GTest::gtest_main)
gtest_discover_tests(chainbreak_http_tests TEST_PREFIX "http." DISCOVERY_TIMEOUT 60)
# See src/server/http/CMakeLists.txt: Beast's parser trips a GCC false positive.
target_compile_options(chainbreak_http_tests PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
