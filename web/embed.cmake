# Compiles khabar serve's web page (web/*.css, *.js, *.svg) into the binary
# as src/serve.h's serve_assets[] table, so the server never reads files at
# run time and the page cannot drift from the binary. Included from the top
# CMakeLists.txt after the khabar target is defined.
file(GLOB KH_WEB_ASSETS CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/web/*.css ${PROJECT_SOURCE_DIR}/web/*.js ${PROJECT_SOURCE_DIR}/web/*.svg)
set(KH_WEB_C ${CMAKE_BINARY_DIR}/generated/serve_assets.c)
string(REPLACE ";" "|" KH_WEB_ASSET_LIST "${KH_WEB_ASSETS}")
add_custom_command(OUTPUT ${KH_WEB_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${KH_WEB_C} -DASSETS=${KH_WEB_ASSET_LIST}
          -P ${PROJECT_SOURCE_DIR}/web/embed_assets.cmake
  DEPENDS ${KH_WEB_ASSETS} ${PROJECT_SOURCE_DIR}/web/embed_assets.cmake
  COMMENT "Embedding the web page (web/) into khabar"
  VERBATIM)
target_sources(khabar PRIVATE ${KH_WEB_C})
target_include_directories(khabar PRIVATE ${PROJECT_SOURCE_DIR}/src)
