/work/main/build-x/tools/seize-watch -C -f -- sh -c 'trap : USR1; kill -USR1 $$; sleep 5 & kill -TERM $!; wait; exit 3'
echo rc=$?
