# The synthetic payment stream generator: deterministic for a seed, the
# documented format, consistent labels (docs/PAYMENT_STREAMS.md).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME payments_streams.generator
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/payments_streams/check_stream.py
                   $<TARGET_FILE:chainbreak-gen-payments>)
endif()
# The built-in rules meet issue 6's effectiveness targets on a seed they were
# not tuned on (docs/PAYMENTS_REPORT.md).
if(Python3_FOUND)
  add_test(NAME payments_streams.effectiveness
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/payments_streams/effectiveness_test.py
                   $<TARGET_FILE:chainbreak> $<TARGET_FILE:chainbreak-gen-payments>
                   ${PROJECT_SOURCE_DIR}/bench/eval_payments.py)
endif()
