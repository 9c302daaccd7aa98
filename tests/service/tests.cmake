# The service end to end, through real HTTP on loopback against a real
# `chainbreak serve`: on SQLite, on a real PostgreSQL server, three replicas
# on one PostgreSQL, and the HMA 2.0 compatibility contract.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(SERVICE_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/service)
add_test(NAME service_e2e_sqlite
         COMMAND ${Python3_EXECUTABLE} ${SERVICE_TESTS}/serve_e2e_test.py $<TARGET_FILE:chainbreak> ${FIXTURES_DIR})
set_tests_properties(service_e2e_sqlite PROPERTIES FIXTURES_REQUIRED fixtures TIMEOUT 300)
add_test(NAME service_e2e_postgres
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh sh -c
                 "exec \"$0\" \"$1\" \"$2\" \"$3\" \"$CHAINBREAK_TEST_PG\""
                 ${Python3_EXECUTABLE} ${SERVICE_TESTS}/serve_e2e_test.py $<TARGET_FILE:chainbreak> ${FIXTURES_DIR})
set_tests_properties(service_e2e_postgres PROPERTIES FIXTURES_REQUIRED fixtures RESOURCE_LOCK chainbreak_postgres
                     TIMEOUT 300)
add_test(NAME service_replicas_postgres
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh sh -c
                 "exec \"$0\" \"$1\" \"$2\" \"$CHAINBREAK_TEST_PG\" 3"
                 ${Python3_EXECUTABLE} ${SERVICE_TESTS}/replicas_test.py $<TARGET_FILE:chainbreak>)
set_tests_properties(service_replicas_postgres PROPERTIES RESOURCE_LOCK chainbreak_postgres TIMEOUT 300)
# docs/openapi.json is what the server serves, documents every /v1 route
# (and only those), and each documented operation answers as documented.
add_test(NAME service_openapi
         COMMAND ${Python3_EXECUTABLE} ${SERVICE_TESTS}/openapi_test.py $<TARGET_FILE:chainbreak>)
set_tests_properties(service_openapi PROPERTIES TIMEOUT 300)
# HMA 2.0 compatibility: an HMA client's calls, unchanged (docs/HMA.md).
add_test(NAME service_hma_sqlite
         COMMAND ${Python3_EXECUTABLE} ${SERVICE_TESTS}/hma_test.py $<TARGET_FILE:chainbreak> ${FIXTURES_DIR})
set_tests_properties(service_hma_sqlite PROPERTIES FIXTURES_REQUIRED fixtures TIMEOUT 300)
add_test(NAME service_hma_postgres
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh sh -c
                 "exec \"$0\" \"$1\" \"$2\" \"$3\" \"$CHAINBREAK_TEST_PG\""
                 ${Python3_EXECUTABLE} ${SERVICE_TESTS}/hma_test.py $<TARGET_FILE:chainbreak> ${FIXTURES_DIR})
set_tests_properties(service_hma_postgres PROPERTIES FIXTURES_REQUIRED fixtures RESOURCE_LOCK chainbreak_postgres
                     TIMEOUT 300)
# Payment screening through the service (issue 6): same decisions as the
# CLI, errors, redress, kill -9.
add_test(NAME service_payments
         COMMAND ${Python3_EXECUTABLE} ${SERVICE_TESTS}/payments_http_test.py $<TARGET_FILE:chainbreak>)
set_tests_properties(service_payments PROPERTIES TIMEOUT 300)
# Public reports and cases (issue 5): portal pages, intake, de-duplication,
# receipts, the console routes, kill -9 during 1,000 concurrent reports, and
# a case's CyberTipline report exported and submitted to the local fake.
add_test(NAME service_cases_sqlite
         COMMAND ${Python3_EXECUTABLE} ${SERVICE_TESTS}/cases_http_test.py $<TARGET_FILE:chainbreak> ${FIXTURES_DIR}
                 $<TARGET_FILE:chainbreak-fake-cybertip>)
set_tests_properties(service_cases_sqlite PROPERTIES FIXTURES_REQUIRED fixtures TIMEOUT 300)
add_test(NAME service_cases_postgres
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh sh -c
                 "exec \"$0\" \"$1\" \"$2\" \"$3\" \"$4\" \"$CHAINBREAK_TEST_PG\""
                 ${Python3_EXECUTABLE} ${SERVICE_TESTS}/cases_http_test.py $<TARGET_FILE:chainbreak> ${FIXTURES_DIR}
                 $<TARGET_FILE:chainbreak-fake-cybertip>)
set_tests_properties(service_cases_postgres PROPERTIES FIXTURES_REQUIRED fixtures RESOURCE_LOCK chainbreak_postgres
                     TIMEOUT 300)
# Where cases come from (issue 5): pipeline decisions with a "case" rule,
# PDQ near-duplicate reports joining them, priority from bank matches.
add_test(NAME service_case_sources_sqlite
         COMMAND ${Python3_EXECUTABLE} ${SERVICE_TESTS}/case_sources_test.py $<TARGET_FILE:chainbreak> ${FIXTURES_DIR})
set_tests_properties(service_case_sources_sqlite PROPERTIES FIXTURES_REQUIRED fixtures TIMEOUT 300)
add_test(NAME service_case_sources_postgres
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-postgres.sh sh -c
                 "exec \"$0\" \"$1\" \"$2\" \"$3\" \"$CHAINBREAK_TEST_PG\""
                 ${Python3_EXECUTABLE} ${SERVICE_TESTS}/case_sources_test.py $<TARGET_FILE:chainbreak> ${FIXTURES_DIR})
set_tests_properties(service_case_sources_postgres PROPERTIES FIXTURES_REQUIRED fixtures
                     RESOURCE_LOCK chainbreak_postgres TIMEOUT 300)
