# packaging/install.cmake - what `cmake --install` puts where Debian expects it, the man pages
# (scdoc), and the .deb (CPack): binaries, /etc/l2a/l2a.yaml, lists in /usr/share/l2a, the
# systemd unit, docs. Included from CMakeLists.txt.
include(GNUInstallDirs)

# The shipped config, installed: its list files point to where the lists are installed.
set(L2A_LISTS_DIR ${CMAKE_INSTALL_FULL_DATADIR}/l2a)
file(READ ${CMAKE_SOURCE_DIR}/conf/l2a.yaml l2a_yaml)
foreach(list freemail-domains.txt disposable-email-domains.txt legal-forms.tsv)
  string(REPLACE ": ${list}\n" ": ${L2A_LISTS_DIR}/${list}\n" l2a_yaml "${l2a_yaml}")
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/install/l2a.yaml "${l2a_yaml}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/conf/l2a.yaml)

# The unit, installed: the daemon where it is installed, run as the l2a system user.
file(READ ${CMAKE_SOURCE_DIR}/systemd/l2ad.service l2ad_unit)
string(REPLACE "/usr/local/bin/l2ad" "${CMAKE_INSTALL_FULL_SBINDIR}/l2ad" l2ad_unit "${l2ad_unit}")
string(REPLACE "file:///usr/local/share/doc/l2a/" "file://${CMAKE_INSTALL_FULL_DOCDIR}/"
       l2ad_unit "${l2ad_unit}")
string(REPLACE "\nDynamicUser=yes\n" "\nUser=l2a\nGroup=l2a\n" l2ad_unit "${l2ad_unit}")
file(WRITE ${CMAKE_BINARY_DIR}/install/l2ad.service "${l2ad_unit}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${CMAKE_SOURCE_DIR}/systemd/l2ad.service)

install(TARGETS l2a RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS l2ad RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${CMAKE_BINARY_DIR}/install/l2a.yaml DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/l2a)
install(FILES ${CMAKE_SOURCE_DIR}/conf/freemail-domains.txt
              ${CMAKE_SOURCE_DIR}/conf/disposable-email-domains.txt
              ${CMAKE_SOURCE_DIR}/conf/legal-forms.tsv
        DESTINATION ${CMAKE_INSTALL_DATADIR}/l2a)
# Debian 12 keeps units of packages in /lib/systemd/system.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(L2A_UNIT_DIR /lib/systemd/system)
else()
  set(L2A_UNIT_DIR ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
install(FILES ${CMAKE_BINARY_DIR}/install/l2ad.service DESTINATION ${L2A_UNIT_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/THIRD-PARTY.md
              ${CMAKE_SOURCE_DIR}/docs/operations.md ${CMAKE_SOURCE_DIR}/docs/redis-schema.md
              ${CMAKE_SOURCE_DIR}/packaging/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/install/changelog.gz
  COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/packaging/changelog > ${CMAKE_BINARY_DIR}/install/changelog.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/changelog VERBATIM)
add_custom_target(changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/install/changelog.gz)
install(FILES ${CMAKE_BINARY_DIR}/install/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Man pages from docs/man/*.scd (scdoc: scripts/deps installs it).
find_program(SCDOC scdoc REQUIRED)
foreach(page l2a.1 l2ad.8 l2a.yaml.5)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
  set(out ${CMAKE_BINARY_DIR}/man/${page})
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${SCDOC} < ${CMAKE_SOURCE_DIR}/docs/man/${page}.scd > ${out}
    DEPENDS ${CMAKE_SOURCE_DIR}/docs/man/${page}.scd VERBATIM)
  list(APPEND L2A_MAN_PAGES ${out})
  add_custom_command(OUTPUT ${out}.gz
    COMMAND gzip -9n -c ${out} > ${out}.gz DEPENDS ${out} VERBATIM)
  install(FILES ${out}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  list(APPEND L2A_MAN_PAGES ${out}.gz)
endforeach()
add_custom_target(man ALL DEPENDS ${L2A_MAN_PAGES})

# The .deb (scripts/package).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME l2a)
set(CPACK_PACKAGE_VENDOR "l2a")
set(CPACK_PACKAGE_CONTACT "l2a maintainers <maintainers@l2a.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "self-hosted lead-to-account matching daemon")
set(CPACK_PACKAGE_DESCRIPTION "l2a ties marketing leads to CRM accounts by email domain and
fuzzy company-name rules: a daemon on Redis Streams (l2ad) and a command
line tool (l2a).")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "publicsuffix, adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/postinst ${CMAKE_SOURCE_DIR}/packaging/postrm
    ${CMAKE_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
