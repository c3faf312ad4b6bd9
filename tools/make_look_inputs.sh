#!/bin/sh
# The varied start images issue 13's looks are checked on (flat logos on white, transparent and
# dark; one colour that the zoom enters; thin lines and text; dark/light/greyscale photos; a 4000x3000
# photo; a phone-style portrait stored sideways), drawn with ImageMagick from nothing but the test photos `make testdata` fetched. Downloads nothing. Usage: tools/make_look_inputs.sh OUTDIR
set -eu
out=${1:?usage: make_look_inputs.sh OUTDIR}
data=${DREAMVIDEO_TESTDATA:-$HOME/.cache/dreamvideo/testdata}
# ImageMagick 6's convert (a stand-in named convert may come first on PATH).
im=/usr/bin/convert
[ -x "$im" ] || im=$(command -v convert)
font=DejaVu-Sans-Bold
mkdir -p "$out"

# A flat-colour logo: navy disc, orange bar, green triangle, navy word (no gradients), on BACKGROUND.
logo() {
    $im -size 640x360 "xc:$1" \
        -fill '#1b2a5c' -draw "circle 170,180 170,90" \
        -fill '#f08a24' -draw "roundrectangle 290,110 560,170 18,18" \
        -fill '#2e9e4f' -draw "polygon 300,290 430,190 560,290" \
        -fill '#1b2a5c' -font $font -pointsize 40 -annotate +300+340 'LOOKS' "$2"
}
logo white "$out/logo_white.png"
# The same logo on a transparent background.
logo none "PNG32:$out/logo_alpha.png"
# A logo on a dark background: amber disc, light grey bar, teal triangle, white word, on navy.
$im -size 800x450 'xc:#14213d' -fill '#fca311' -draw "circle 200,225 200,105" \
    -fill '#e5e5e5' -draw "rectangle 380,150 700,200" -fill '#2ec4b6' -draw "polygon 380,330 540,230 700,330" \
    -fill white -font $font -pointsize 48 -annotate +380+400 'NIGHT' "$out/logo_dark.png"
# One colour that the zoom enters: a red rounded square with a cream letter, on transparency.
$im -size 600x600 xc:none -fill '#e63946' -draw "roundrectangle 50,50 550,550 80,80" \
    -fill '#f1faee' -font $font -pointsize 200 -gravity center -annotate +0+0 'R' "PNG32:$out/logo_red_alpha.png"
# Drawn after the colour work, to check it on logos it was not tuned on: a blue disc with a yellow word
# on white, a purple triangle (chroma about 100) with a white letter on transparency, and a green disc.
$im -size 700x400 xc:white -fill '#1d4ed8' -draw "circle 200,200 200,60" \
    -fill '#facc15' -font $font -pointsize 90 -annotate +340+235 'Bolt' "$out/logo_blue_yellow.png"
$im -size 500x500 xc:none -fill '#7c3aed' -draw "polygon 250,30 470,460 30,460" \
    -fill white -font $font -pointsize 120 -gravity center -annotate +0+60 'A' "PNG32:$out/logo_purple_alpha.png"
# A green disc with a black word, on transparency.
$im -size 600x400 xc:none -fill '#16a34a' -draw "circle 300,200 300,20" \
    -fill black -font $font -pointsize 130 -gravity center -annotate +0+0 'GO' "PNG32:$out/logo_green_alpha.png"
# An orange rounded button with a dark word, on transparency; a teal triangle and yellow disc on
# black; a red, white and blue flag with a word; pink rings on transparency.
$im -size 640x360 xc:none -fill '#f97316' -draw "roundrectangle 60,60 580,300 40,40" \
    -fill '#1e293b' -font $font -pointsize 90 -gravity center -annotate +0+0 'SHOP' "PNG32:$out/logo_orange_alpha.png"
$im -size 600x400 xc:black -fill '#14b8a6' -draw "polygon 300,40 560,360 40,360" \
    -fill '#fde047' -draw "circle 300,260 300,200" "PNG32:$out/logo_teal_black.png"
$im -size 640x360 xc:white -fill '#dc2626' -draw "rectangle 0,0 213,360" -fill '#2563eb' -draw "rectangle 427,0 640,360" \
    -fill '#111827' -font $font -pointsize 48 -gravity center -annotate +0+0 'FLAG' "PNG32:$out/logo_flag.png"
$im -size 500x500 xc:none -fill '#db2777' -draw "circle 250,250 250,30" -fill white -draw "circle 250,250 250,120" \
    -fill '#db2777' -draw "circle 250,250 250,180" "PNG32:$out/logo_pink_rings.png"
# Thin (1-2 px) lines and small text, black and one colour, on white.
$im -size 640x360 xc:white -stroke black -strokewidth 1 \
    -draw "line 20,20 620,20" -draw "line 20,40 620,340" -draw "line 20,340 620,40" \
    -fill none -draw "circle 320,190 320,100" -draw "rectangle 40,60 260,300" \
    -stroke '#c0392b' -strokewidth 2 -draw "line 380,60 600,300" -draw "ellipse 480,240 100,50 0,360" \
    -stroke none -fill black -font DejaVu-Sans -pointsize 14 \
    -annotate +50+90 'Thin lines and text' -annotate +50+120 'the quick brown fox' \
    -annotate +50+150 'jumps over the lazy dog' -pointsize 22 -annotate +360+130 'dreamvideo 0123' \
    "$out/lines_text.png"
# Photos: a dark one, a light one, a greyscale one, a large one.
$im "$data/dog.jpg" -modulate 45 -level 0%,100%,0.7 "$out/photo_dark.jpg"
$im "$data/eagle.jpg" -level -40%,100%,1.3 "$out/photo_light.jpg"
$im "$data/horses.jpg" -colorspace Gray -type TrueColor "$out/photo_grey.jpg"
$im "$data/kite.jpg" -resize '4000x3000^' -gravity center -extent 4000x3000 -quality 92 "$out/photo_4000x3000.jpg"
# Drawn on 2026-12-04, after the colour work, and not tuned on: a coral square, a mint disc, a gold
# star and a thin outlined word on transparency; a light greyscale photo; a phone-style 3024x4032
# portrait stored sideways with EXIF orientation 6 (the reader must turn it upright).
$im -size 720x480 xc:none -fill '#ff6f61' -draw "roundrectangle 40,60 320,340 40,40" \
    -fill '#98ffcc' -draw "circle 470,200 470,90" -fill '#ffd700' -stroke '#333333' -strokewidth 3 \
    -draw "polygon 600,330 625,390 690,390 638,428 658,470 600,445 542,470 562,428 510,390 575,390" \
    -stroke black -strokewidth 2 -fill none -font DejaVu-Sans -pointsize 72 -annotate +60+450 'dream' \
    "PNG32:$out/logo_coral_alpha.png"
$im "$data/giraffe.jpg" -colorspace Gray -level 10%,70% "$out/photo_grey_light.png"
$im "$data/scream.jpg" -resize '3024x4032^' -gravity center -extent 3024x4032 -rotate -90 -orient RightTop \
    -quality 90 "$out/photo_phone_exif6.jpg"
ls -l "$out"
