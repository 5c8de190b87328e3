#!/usr/bin/env bash
# Lighthouse performance and accessibility scores of the console's queue,
# intake and request screens, against a running `sinkron demo`.
#
#   go run ./cmd/sinkron demo > /tmp/demo.out &      # wait for its banner
#   (cd bench/lighthouse && npm i -E && ./run.sh /tmp/demo.out)
#
# Lighthouse 12.2.3 (13 needs a newer Node than Debian's), Debian's
# chromium through CHROME_PATH, the officer's session cookie passed as a
# header; desktop form factor (an office PC).
set -euo pipefail
demo=${1:?give the demo output file}
K=$(grep -o 'export K=[^ ]*' "$demo" | cut -d= -f2)
pw=$(grep -o 'PW_RINA=[A-Z0-9]*' "$demo" | cut -d= -f2)
jar=$(mktemp)
curl -s -c "$jar" -o /dev/null -d "pengguna=rina&sandi=$pw" "$K/konsol/masuk"
cookie=$(awk '$6 ~ /^sinkron_konsol/ {print $6"="$7}' "$jar")
csrf=$(curl -s -b "$jar" "$K/konsol/layanan/sinkronisasi-data" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
dir=$(grep -o 'DEMO_DIR=[^ ]*' "$demo" | head -1 | cut -d= -f2)
id=$(curl -s -b "$jar" -F _csrf="$csrf" -F nama_pemohon="Siti Aminah" -F nik=1806015708900003 -F kk=1806010101150007 \
  -F permasalahan="NIK tidak ditemukan di BPJS" -F whatsapp=081234567890 -F foto_kk=@"$dir/foto-kk.png" \
  -F foto_ktp_el=@"$dir/foto-ktp.png" "$K/konsol/layanan/sinkronisasi-data" | grep -o 'Kode lacak: <strong>[A-Z0-9]*' | sed 's/.*>//')
headers=$(printf '{"Cookie":"%s"}' "$cookie")
export CHROME_PATH=${CHROME_PATH:-$(command -v chromium)}
for screen in "antrean:$K/konsol/" "penerimaan:$K/konsol/layanan/sinkronisasi-data" "rincian:$K/konsol/permohonan/$id"; do
  name=${screen%%:*} url=${screen#*:}
  for run in 1 2 3; do
    npx lighthouse "$url" --quiet --preset=desktop --only-categories=performance,accessibility \
      --extra-headers="$headers" --chrome-flags="--headless=new --no-sandbox" \
      --output=json --output-path="/tmp/lh-$name-$run.json" >/dev/null 2>&1
    node -e 'const r=require(process.argv[1]);console.log(process.argv[2],"run",process.argv[3],"performance",Math.round(r.categories.performance.score*100),"accessibility",Math.round(r.categories.accessibility.score*100))' "/tmp/lh-$name-$run.json" "$name" "$run"
  done
done
