-- .luacheckrc - luacheck settings for the Redis Function library (src/redis/lua/*.lua).
-- Redis runs Lua 5.1 with `redis` and `cjson` as globals (Functions get no KEYS or ARGV: the
-- callback receives them). The build puts `local LIBRARY` and then lib.lua's `local lib` before the
-- other files, so those two read like globals to a check of one file at a time.
std = 'lua51'
read_globals = {'redis', 'cjson', 'KEYS', 'ARGV', 'LIBRARY', 'lib'}
max_line_length = 100
