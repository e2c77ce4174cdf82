# The Debian package (scripts/package): CPack's DEB generator over the install rules, with
# dependencies computed by dpkg-shlibdeps. Configure with CMAKE_INSTALL_PREFIX=/usr and
# TONEARM_DEBIAN_DOCS=ON (the "package" preset) for the files Debian policy wants in
# /usr/share/doc/tonearm; plain installs (scripts/install) go without them.
include(GNUInstallDirs)
option(TONEARM_DEBIAN_DOCS "Install the copyright and changelog a Debian package carries" OFF)

set(TONEARM_MAINTAINER "The tonearm developers <tonearm@example.org>")

if(TONEARM_DEBIAN_DOCS)
  # The date of the last commit (scripts/package sets SOURCE_DATE_EPOCH): the same source
  # makes the same package.
  string(TIMESTAMP TONEARM_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
  set(doc_dir ${PROJECT_BINARY_DIR}/packaging)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/changelog.in ${doc_dir}/changelog @ONLY)
  add_custom_command(
    OUTPUT ${doc_dir}/changelog.gz
    COMMAND gzip -9 -n -k -f ${doc_dir}/changelog
    DEPENDS ${doc_dir}/changelog
    VERBATIM)
  add_custom_target(tonearm_debian_docs ALL DEPENDS ${doc_dir}/changelog.gz)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/copyright ${doc_dir}/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tonearm)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tonearm)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "audio player, inspector and checker for the terminal")
# The extended description; CPack puts the summary above it and indents each line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "tonearm plays WAV, AIFF, FLAC, Ogg Vorbis, Opus and MP3 files gaplessly
through the sound server, with keys on the terminal and media keys (MPRIS)
on the desktop. It also shows a file's format and tags, decodes to other
formats, and checks whole trees of audio files for damage, the way flac -t
does for FLAC.")
set(CPACK_PACKAGE_CONTACT ${TONEARM_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${TONEARM_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION sound)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
