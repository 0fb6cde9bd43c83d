"""What every problem says to staff, in Vietnamese and English, by its stable code.

A small table rather than gettext catalogues: the codes and their parameters are the
contract (the API sends them, the console and the CLI word them), the table is tested to
give every code both languages, and it needs no compile step at install. The console
reuses `say` and `where`; a code this table does not know falls back to the English
sentence the problem already carries.

Human text counts items from 1 ("item 1"), while the API's `path` keeps the machine
form (`items[0]`) so clients can index the document they sent.
"""

from __future__ import annotations

import os
import re
import string
from typing import Mapping

LANGS = ("vi", "en")

# code -> {lang: template}; templates use the problem's params by name ({char}, {floor}).
CATALOGUE: dict[str, dict[str, str]] = {
    # reading the document
    "yaml_syntax": {
        "en": "the YAML cannot be read: {detail}",
        "vi": "không đọc được YAML: {detail}"},
    "yaml_syntax/tab": {
        "en": "a tab is used to indent at column {column}; use spaces, not tabs, to indent",
        "vi": "cột {column} thụt lề bằng phím Tab; hãy thụt lề bằng dấu cách, không dùng Tab"},
    "yaml_syntax/colon": {
        "en": "text that contains a colon (:) must be in quotes, e.g. vi: \"Giờ làm việc: 7:00\" "
              "(column {column})",
        "vi": "văn bản có dấu hai chấm (:) phải đặt trong ngoặc kép, ví dụ vi: "
              "\"Giờ làm việc: 7:00\" (cột {column})"},
    "yaml_syntax/quote": {
        "en": "a quote opened here is never closed; end the text with the same quote mark",
        "vi": "dấu ngoặc kép mở ở đây chưa được đóng; kết thúc văn bản bằng cùng loại dấu ngoặc"},
    "yaml_syntax/indent": {
        "en": "the indentation does not line up at column {column}; fields of the same item "
              "start in the same column, list entries start with '- '",
        "vi": "thụt lề không thẳng hàng ở cột {column}; các trường của cùng một mục phải bắt "
              "đầu cùng một cột, mỗi phần tử danh sách bắt đầu bằng '- '"},
    "yaml_syntax/key": {
        "en": "a line here is not 'field: value'; add the colon after the field name, or put "
              "text in quotes",
        "vi": "một dòng ở đây không có dạng 'trường: giá trị'; thêm dấu hai chấm sau tên "
              "trường, hoặc đặt văn bản trong ngoặc kép"},
    "json_syntax": {
        "en": "the JSON cannot be read: {detail} (column {column})",
        "vi": "không đọc được JSON: {detail} (cột {column})"},
    "too_large": {"en": "the document is larger than {bytes} bytes",
                  "vi": "tài liệu lớn hơn {bytes} byte"},
    "not_utf8": {"en": "is not UTF-8 text (byte {byte}); save it as UTF-8",
                 "vi": "không phải văn bản UTF-8 (byte {byte}); hãy lưu tệp dạng UTF-8"},
    "empty": {"en": "the document is empty", "vi": "tài liệu trống"},
    "duplicate_key": {"en": "appears twice; keep one", "vi": "xuất hiện hai lần; chỉ giữ một"},
    "unreadable_value": {
        "en": "{value!r} is not a real date or number; correct it, or quote it if it is text",
        "vi": "{value!r} không phải ngày hoặc số hợp lệ; hãy sửa lại, hoặc đặt trong ngoặc kép "
              "nếu đó là văn bản"},
    "unreadable_file": {"en": "the file cannot be read: {error}",
                        "vi": "không đọc được tệp: {error}"},
    # pydantic's own types
    "missing": {"en": "is required", "vi": "là bắt buộc, hãy điền vào"},
    "extra_forbidden": {"en": "is not a known field; check its spelling",
                        "vi": "không phải là trường hợp lệ; hãy kiểm tra chính tả"},
    "extra_forbidden/suggest": {
        "en": "is not a known field; did you mean {suggestion}?",
        "vi": "không phải là trường hợp lệ; có phải ý bạn là {suggestion}?"},
    "union_tag_invalid": {"en": "kind must be one of: {expected_tags}",
                          "vi": "kind phải là một trong: {expected_tags}"},
    "union_tag_invalid/suggest": {"en": "kind must be one of: {expected_tags}; did you mean "
                                        "{suggestion}?",
                                  "vi": "kind phải là một trong: {expected_tags}; có phải ý "
                                        "bạn là {suggestion}?"},
    "union_tag_not_found": {"en": "needs a kind: {kinds}", "vi": "cần có kind: {kinds}"},
    "literal_error": {"en": "must be one of: {expected}", "vi": "phải là một trong: {expected}"},
    "string_type": {"en": "must be text", "vi": "phải là văn bản"},
    "int_type": {"en": "must be a whole number", "vi": "phải là số nguyên"},
    "int_parsing": {"en": "must be a whole number", "vi": "phải là số nguyên"},
    "int_from_float": {"en": "must be a whole number", "vi": "phải là số nguyên"},
    "float_type": {"en": "must be a number", "vi": "phải là một số"},
    "float_parsing": {"en": "must be a number", "vi": "phải là một số"},
    "bool_type": {"en": "must be true or false", "vi": "phải là true hoặc false"},
    "bool_parsing": {"en": "must be true or false", "vi": "phải là true hoặc false"},
    "list_type": {"en": "must be a list (lines starting with '- ')",
                  "vi": "phải là một danh sách (các dòng bắt đầu bằng '- ')"},
    "tuple_type": {"en": "must be a list", "vi": "phải là một danh sách"},
    "dict_type": {"en": "must be a set of 'field: value' lines",
                  "vi": "phải là các dòng 'trường: giá trị'"},
    "model_type": {"en": "must be a set of 'field: value' lines",
                   "vi": "phải là các dòng 'trường: giá trị'"},
    "model_attributes_type": {"en": "must be a set of 'field: value' lines",
                              "vi": "phải là các dòng 'trường: giá trị'"},
    "too_short": {"en": "needs at least {min_length}", "vi": "cần ít nhất {min_length} phần tử"},
    "too_long": {"en": "may have at most {max_length}", "vi": "chỉ được tối đa {max_length} phần tử"},
    "string_too_short": {"en": "needs at least {min_length} characters",
                         "vi": "cần ít nhất {min_length} ký tự"},
    "string_too_long": {"en": "may have at most {max_length} characters",
                        "vi": "chỉ được tối đa {max_length} ký tự"},
    "string_pattern_mismatch": {"en": "is not in the expected form ({pattern})",
                                "vi": "không đúng dạng yêu cầu ({pattern})"},
    "greater_than_equal": {"en": "must be at least {ge}", "vi": "phải lớn hơn hoặc bằng {ge}"},
    "greater_than": {"en": "must be more than {gt}", "vi": "phải lớn hơn {gt}"},
    "less_than_equal": {"en": "must be at most {le}", "vi": "phải nhỏ hơn hoặc bằng {le}"},
    "less_than": {"en": "must be less than {lt}", "vi": "phải nhỏ hơn {lt}"},
    "datetime_parsing": {"en": "is not a date and time; write e.g. 2027-02-01T08:00:00+07:00",
                         "vi": "không phải ngày giờ; hãy viết ví dụ 2027-02-01T08:00:00+07:00"},
    "datetime_type": {"en": "is not a date and time; write e.g. 2027-02-01T08:00:00+07:00",
                      "vi": "không phải ngày giờ; hãy viết ví dụ 2027-02-01T08:00:00+07:00"},
    "timezone_aware": {"en": "needs a time zone, e.g. 2027-02-01T08:00:00+07:00",
                       "vi": "cần có múi giờ, ví dụ 2027-02-01T08:00:00+07:00"},
    "date_parsing": {"en": "is not a date; write e.g. 2027-02-01",
                     "vi": "không phải ngày; hãy viết ví dụ 2027-02-01"},
    "date_from_datetime_parsing": {"en": "is not a date; write e.g. 2027-02-01",
                                   "vi": "không phải ngày; hãy viết ví dụ 2027-02-01"},
    # content's own checks (signage.content.models)
    "traditional_chinese": {
        "en": "uses Traditional characters ({characters}); the wall shows Simplified Chinese: "
              "write {suggestion}",
        "vi": "dùng chữ Hán phồn thể ({characters}); màn hình chỉ hiện chữ giản thể: hãy viết "
              "{suggestion}"},
    "bad_duration": {"en": "{value!r} is not a duration; write e.g. 12s, 1m30s or 250ms",
                     "vi": "{value!r} không phải thời lượng; hãy viết ví dụ 12s, 1m30s hoặc 250ms"},
    "duration_range": {"en": "must be between {min} and {max} (got {seconds:g}s)",
                       "vi": "phải từ {min} đến {max} (đang là {seconds:g}s)"},
    "empty_text": {"en": "must not be empty: every message needs vi, en and zh text",
                   "vi": "không được để trống: mỗi thông điệp cần đủ văn bản vi, en và zh"},
    "control_character": {"en": "contains the control character {char}; remove it",
                          "vi": "chứa ký tự điều khiển {char}; hãy xoá ký tự này"},
    "text_too_long": {"en": "is {length} characters; at most {max} fit on a wall, shorten it",
                      "vi": "dài {length} ký tự; màn hình chỉ chứa tối đa {max}, hãy rút gọn"},
    "bad_asset_ref": {"en": "must name an asset: sha256:<64 hex digits> or a path under assets/",
                      "vi": "phải chỉ tới một tệp: sha256:<64 chữ số hex> hoặc đường dẫn trong "
                            "assets/"},
    "bad_color": {"en": "write a colour as #rrggbb, e.g. #ffffff for white",
                  "vi": "hãy viết màu dạng #rrggbb, ví dụ #ffffff là màu trắng"},
    "bad_time_zone": {"en": "{value!r} is not a known time zone; e.g. Asia/Ho_Chi_Minh",
                      "vi": "{value!r} không phải múi giờ đã biết; ví dụ Asia/Ho_Chi_Minh"},
    "bad_length": {"en": "write pixels (e.g. 120) or a percentage (e.g. 25%)",
                   "vi": "hãy viết số điểm ảnh (ví dụ 120) hoặc phần trăm (ví dụ 25%)"},
    "bad_name": {"en": "use 1-64 lowercase letters, digits, '-' or '_', starting with a letter "
                       "or digit",
                 "vi": "dùng 1-64 chữ thường không dấu, chữ số, '-' hoặc '_', bắt đầu bằng chữ "
                       "hoặc số"},
    "items_or_layout": {"en": "give either items (one full-panel zone) or a layout of zones, "
                              "not both",
                        "vi": "chỉ ghi một trong hai: items (cả màn hình) hoặc layout (các vùng)"},
    "zone_names_differ": {"en": "zone names must differ; {names} is used twice",
                          "vi": "tên vùng phải khác nhau; {names} bị dùng hai lần"},
    "one_end": {"en": "give either duration (e.g. 2h) or expires_at, so the notice ends by itself",
                "vi": "hãy ghi duration (ví dụ 2h) hoặc expires_at để thông báo tự kết thúc"},
    "bad_window": {"en": "{detail}", "vi": "thời gian của thông báo không hợp lệ: {detail}"},
    # checks against the panel and fonts (signage.render.checks)
    "missing_glyph": {"en": "no configured font has the character {char!r}; remove it",
                      "vi": "không phông chữ nào có ký tự {char!r}; hãy bỏ ký tự này"},
    "does_not_fit": {"en": "does not fit the {size} area even at the smallest type; shorten it "
                           "or give it a larger zone",
                     "vi": "không vừa vùng {size} kể cả ở cỡ chữ nhỏ nhất; hãy rút gọn hoặc "
                           "dành vùng lớn hơn"},
    "below_floor": {"en": "{lang} would be drawn {height} px tall, below the {floor} px floor; "
                          "give the zone more height or shorten the text",
                    "vi": "chữ {lang} chỉ cao {height} px, dưới mức tối thiểu {floor} px; hãy "
                          "dành vùng cao hơn hoặc rút gọn văn bản"},
    "reading_time": {"en": "too short to read the {lang} text; make it at least {seconds}s",
                     "vi": "quá ngắn để đọc văn bản {lang}; hãy đặt ít nhất {seconds}s"},
    "low_contrast": {"en": "text colour {color} has {ratio}:1 contrast against what is behind "
                           "it; set style.plate: true, add style.outline, or choose another colour",
                     "vi": "màu chữ {color} chỉ tương phản {ratio}:1 với nền; hãy đặt "
                           "style.plate: true, thêm style.outline hoặc chọn màu khác"},
    "zone_outside_panel": {"en": "leaves no area on the {panel} panel",
                           "vi": "không còn diện tích nào trên màn hình {panel}"},
    "asset_missing": {"en": "{ref} is not in the store; upload the image first",
                      "vi": "{ref} chưa có trong kho; hãy tải ảnh lên trước"},
    "asset_file_missing": {"en": "the file is not there; check the path",
                           "vi": "không có tệp này; hãy kiểm tra đường dẫn"},
    "asset_path_over_http": {"en": "upload the image first and name it sha256:…",
                             "vi": "hãy tải ảnh lên trước rồi ghi sha256:…"},
    "image_refused": {"en": "the image was not stored", "vi": "ảnh không được lưu"},
    "image_refused/not_image": {
        "en": "is not a readable PNG, JPEG or WebP image; export it as one of those",
        "vi": "không phải ảnh PNG, JPEG hay WebP đọc được; hãy xuất ảnh ra một trong các "
              "định dạng đó"},
    "image_refused/damaged": {
        "en": "is damaged or cut short and cannot be decoded; export it again as PNG, JPEG "
              "or WebP",
        "vi": "tệp ảnh bị hỏng hoặc không trọn vẹn nên không đọc được; hãy xuất lại thành "
              "PNG, JPEG hoặc WebP"},
    "image_refused/other_kind": {
        "en": "is not a PNG, JPEG or WebP picture; use one of those",
        "vi": "không phải ảnh PNG, JPEG hay WebP; hãy dùng một trong các định dạng đó"},
    "image_refused/markup": {
        "en": "is SVG or other markup, not a picture; export it as PNG, JPEG or WebP",
        "vi": "là SVG hoặc văn bản đánh dấu, không phải ảnh; hãy xuất thành PNG, JPEG hoặc WebP"},
    "image_refused/bomb": {
        "en": "has too many pixels to decode safely; scale it down to at most {megapixels} "
              "megapixels",
        "vi": "có quá nhiều điểm ảnh để giải mã an toàn; hãy thu nhỏ còn tối đa {megapixels} "
              "megapixel"},
    "image_refused/pixels": {
        "en": "is {width}x{height} pixels; the limit is {megapixels} megapixels: scale it down",
        "vi": "có {width}x{height} điểm ảnh; giới hạn là {megapixels} megapixel: hãy thu nhỏ"},
    "image_refused/bytes": {
        "en": "is {size} bytes; the limit is {limit}: scale it down or save it with more "
              "compression",
        "vi": "nặng {size} byte; giới hạn là {limit} byte: hãy thu nhỏ hoặc lưu với mức nén cao hơn"},
    "image_refused/pixel_format": {
        "en": "uses a pixel format that cannot be converted ({mode}); save it as 8-bit RGB",
        "vi": "dùng kiểu điểm ảnh không chuyển đổi được ({mode}); hãy lưu thành RGB 8 bit"},
    # the schedule (signage.schedule.rules, .brightness, .findings)
    "schedule_warning": {"en": "worth a look", "vi": "nên kiểm tra lại"},
    "schedule_warning/never_applies": {
        "en": "none of the days {first} to {last} is a {weekdays}, so this never applies; fix "
              "the weekdays or the dates",
        "vi": "không ngày nào từ {first} đến {last} là {weekdays}, nên quy tắc này không bao "
              "giờ áp dụng; hãy sửa thứ trong tuần hoặc ngày"},
    "schedule_warning/overlap": {
        "en": "can overlap rule {rule!r} at the same priority {priority}, e.g. at {when}, where "
              "{winner!r} plays; give one a higher priority",
        "vi": "có thể trùng với quy tắc {rule!r} cùng mức ưu tiên {priority}, ví dụ lúc {when}, "
              "khi đó {winner!r} được phát; hãy đặt mức ưu tiên cao hơn cho một quy tắc"},
    "schedule_error": {"en": "the schedule cannot be used", "vi": "không dùng được lịch này"},
    "schedule_error/unknown_playlist": {
        "en": "there is no playlist named {name!r}; add it first or fix the name (known: {known})",
        "vi": "không có danh sách phát tên {name!r}; hãy thêm trước hoặc sửa tên (hiện có: "
              "{known})"},
    "bad_daily_window": {"en": "{value!r} is not a daily window; write 'HH:MM-HH:MM', e.g. "
                               "'06:30-08:00' or '22:00-06:00'",
                         "vi": "{value!r} không phải khung giờ; hãy viết 'HH:MM-HH:MM', ví dụ "
                               "'06:30-08:00' hoặc '22:00-06:00'"},
    "bad_time_of_day": {"en": "{value!r}: hours go 00-23 and minutes 00-59 (24:00 only as an end)",
                        "vi": "{value!r}: giờ từ 00-23 và phút từ 00-59 (24:00 chỉ dùng làm giờ kết "
                              "thúc)"},
    "same_start_end": {"en": "{value!r} starts and ends at the same time; to cover whole days "
                             "leave `time` out",
                       "vi": "{value!r} bắt đầu và kết thúc cùng giờ; muốn cả ngày thì bỏ `time`"},
    "bad_date": {"en": "{value!r} is not a date; write YYYY-MM-DD, e.g. 2027-02-06",
                 "vi": "{value!r} không phải ngày; hãy viết YYYY-MM-DD, ví dụ 2027-02-06"},
    "panel_control_unknown": {"en": "is not a panel setting; choose brightness, power or "
                                    "test_pattern",
                              "vi": "không phải thiết lập của màn hình; hãy chọn brightness, "
                                    "power hoặc test_pattern"},
    "credential_name_form": {"en": "needs 1-64 letters, digits, '.', '@', '_' or '-' (no "
                                   "spaces)",
                             "vi": "cần 1-64 chữ cái, chữ số, '.', '@', '_' hoặc '-' "
                                   "(không có dấu cách)"},
    "bad_month": {"en": "{value!r} is not a month; write YYYY-MM, e.g. 2027-02",
                  "vi": "{value!r} không phải tháng; hãy viết YYYY-MM, ví dụ 2027-02"},
    "bad_local_time": {"en": "{value!r} is not a date and time",
                       "vi": "{value!r} không phải ngày giờ hợp lệ"},
    "period_too_long": {"en": "the period is longer than {days} days; ask month by month",
                        "vi": "khoảng thời gian dài hơn {days} ngày; hãy xem từng tháng"},
    "passwords_differ": {"en": "the two passwords differ; type the same password twice",
                         "vi": "hai mật khẩu không giống nhau; hãy gõ cùng một mật khẩu hai lần"},
    "dates_reversed": {"en": "ends on {last} before it starts on {first}; swap from and to",
                       "vi": "kết thúc ngày {last} trước khi bắt đầu ngày {first}; hãy đổi chỗ "
                             "from và to"},
    "bad_weekday": {"en": "{value!r} is not a weekday; write mon, tue, wed, thu, fri, sat or sun",
                    "vi": "{value!r} không phải thứ trong tuần; hãy viết mon, tue, wed, thu, fri, "
                          "sat hoặc sun"},
    "bad_cron": {"en": "{value!r} is not a cron expression; write minute hour day month weekday "
                       "in quotes, e.g. '0 12 * * mon-fri'",
                 "vi": "{value!r} không phải biểu thức cron; hãy viết phút giờ ngày tháng thứ "
                       "trong ngoặc kép, ví dụ '0 12 * * mon-fri'"},
    "weekday_twice": {"en": "{days} is listed twice; list each weekday once",
                      "vi": "{days} bị ghi hai lần; mỗi thứ chỉ ghi một lần"},
    "cron_needs_for": {"en": "a cron rule needs `for`: how long each occurrence lasts, e.g. "
                             "for: 30m",
                       "vi": "quy tắc cron cần `for`: mỗi lần kéo dài bao lâu, ví dụ for: 30m"},
    "for_needs_cron": {"en": "`for` goes with `cron`; remove it, or add a cron expression",
                       "vi": "`for` chỉ dùng cùng `cron`; hãy bỏ nó hoặc thêm biểu thức cron"},
    "rule_chooses_nothing": {"en": "give at least one of weekdays, time, dates or cron",
                             "vi": "hãy ghi ít nhất một trong weekdays, time, dates hoặc cron"},
    "power_chooses_nothing": {"en": "give at least one of time, weekdays or dates, or the wall "
                                    "would be off all the time",
                              "vi": "hãy ghi ít nhất một trong time, weekdays hoặc dates, nếu "
                                    "không màn hình sẽ tắt suốt"},
    "rule_names_differ": {"en": "rule names must differ; {names} is used twice",
                          "vi": "tên quy tắc phải khác nhau; {names} bị dùng hai lần"},
    "bad_level": {"en": "write a level in percent, e.g. 80 or '80%'",
                  "vi": "hãy ghi mức độ sáng theo phần trăm, ví dụ 80 hoặc '80%'"},
    "level_range": {"en": "must be between 0 and 100 percent (got {value:g})",
                    "vi": "phải từ 0 đến 100 phần trăm (đang là {value:g})"},
    "bad_clock_time": {"en": "{value!r} is not a time of day; write it as 'HH:MM', e.g. '06:30'",
                       "vi": "{value!r} không phải giờ trong ngày; hãy viết 'HH:MM', ví dụ '06:30'"},
    "bad_hours": {"en": "write hours as 'HH:MM-HH:MM', e.g. '23:00-05:00'",
                  "vi": "hãy viết khung giờ dạng 'HH:MM-HH:MM', ví dụ '23:00-05:00'"},
    "same_hours": {"en": "the hours start and end at the same time; leave hours out for all night",
                   "vi": "khung giờ bắt đầu và kết thúc cùng lúc; bỏ hours nếu muốn cả đêm"},
    "bad_curve": {"en": "write the curve as time: level pairs, e.g. {{'06:00': 20, '07:00': 90}}",
                  "vi": "hãy viết curve dạng giờ: mức, ví dụ {{'06:00': 20, '07:00': 90}}"},
    "curve_time_twice": {"en": "each time may appear once in the curve",
                         "vi": "mỗi mốc giờ chỉ được xuất hiện một lần trong curve"},
    "curve_missing": {"en": "mode curve needs a curve, e.g. curve: {{'06:00': 20, '07:00': 90}}",
                      "vi": "mode curve cần có curve, ví dụ curve: {{'06:00': 20, '07:00': 90}}"},
    "curve_unused": {"en": "a curve is used only with mode: curve; set mode: curve or remove it",
                     "vi": "curve chỉ dùng với mode: curve; hãy đặt mode: curve hoặc bỏ curve"},
    "night_brighter": {"en": "night ({night:g}%) must not be brighter than day ({day:g}%)",
                       "vi": "độ sáng ban đêm ({night:g}%) không được cao hơn ban ngày ({day:g}%)"},
    # refusals of actions (signage.services.errors)
    "playlist_not_saved": {"en": "playlist {name!r} was not saved; nothing was changed",
                           "vi": "danh sách phát {name!r} chưa được lưu; không có gì thay đổi"},
    "schedule_not_saved": {"en": "the schedule was not saved; the player keeps the one it has",
                           "vi": "lịch chưa được lưu; màn hình vẫn theo lịch cũ"},
    "emergency_invalid": {"en": "the emergency notice was not posted",
                          "vi": "thông báo khẩn cấp chưa được đăng"},
    "name_mismatch": {"en": "the name in the document differs from the one in the address",
                      "vi": "tên trong tài liệu khác với tên trong địa chỉ"},
    "revision_not_found": {"en": "there is no such revision", "vi": "không có phiên bản này"},
    "revision_state": {"en": "the revision is not in a state that allows this",
                       "vi": "phiên bản đang ở trạng thái không cho phép thao tác này"},
    "reason_needed": {"en": "a rejection needs a reason of 1-{max} characters; say what to "
                            "change",
                      "vi": "từ chối cần có lý do dài 1-{max} ký tự; hãy nói rõ cần sửa gì"},
    "four_eyes": {"en": "someone other than its author must approve it",
                  "vi": "người duyệt phải khác người soạn"},
    "emergency_not_found": {"en": "there is no emergency notice {id}",
                            "vi": "không có thông báo khẩn cấp số {id}"},
    "asset_not_found": {"en": "{ref} is not in the store", "vi": "{ref} không có trong kho"},
    "asset_in_use": {"en": "{ref} is still used by {names}; remove it from those first",
                     "vi": "{ref} vẫn đang được dùng trong {names}; hãy bỏ nó khỏi đó trước"},
    "pattern_not_shown": {"en": "{pattern!r} is not a pattern this wall shows; choose one of "
                                "{shown}",
                          "vi": "màn hình này không hiện mẫu {pattern!r}; hãy chọn một trong {shown}"},
    "both_ends": {"en": "give expires_at or duration, not both",
                  "vi": "chỉ ghi expires_at hoặc duration, không ghi cả hai"},
    "out_of_range": {"en": "is out of range; give a time within this century",
                     "vi": "nằm ngoài phạm vi; hãy ghi thời điểm trong thế kỷ này"},
    "in_the_past": {"en": "has passed; give a later time or a duration",
                    "vi": "đã qua; hãy ghi thời điểm muộn hơn hoặc một thời lượng"},
    "password_too_short": {"en": "must have at least {min} characters",
                           "vi": "phải có ít nhất {min} ký tự"},
    "name_taken": {"en": "the name {name!r} is taken", "vi": "tên {name!r} đã được dùng"},
    "user_not_found": {"en": "there is no user {name!r}", "vi": "không có người dùng {name!r}"},
    "token_not_found": {"en": "there is no token {name!r}", "vi": "không có mã truy cập {name!r}"},
    "not_pending": {"en": "it is not waiting for confirmation",
                    "vi": "mục này không chờ xác nhận"},
    "same_admin": {"en": "the admin who made it cannot confirm it; ask another admin",
                   "vi": "quản trị viên đã tạo thì không thể tự xác nhận; hãy nhờ quản trị viên khác"},
    "film_refused": {"en": "the film was not stored", "vi": "phim không được lưu"},
    # a playlist's size, and an approver's play-now (signage.services.playnow)
    "too_many_items": {"en": "a playlist holds at most {max} items ({count} here); split it",
                       "vi": "một danh sách phát chỉ chứa tối đa {max} mục (ở đây {count}); "
                             "hãy tách thành nhiều danh sách"},
    "too_much_text": {"en": "a playlist holds at most {max} characters of text ({count} here); "
                            "split it",
                      "vi": "một danh sách phát chỉ chứa tối đa {max} ký tự (ở đây {count}); "
                            "hãy tách thành nhiều danh sách"},
    "playlist_not_published": {"en": "no published playlist is named {playlist!r}; approve it "
                                     "first",
                               "vi": "chưa có danh sách phát nào tên {playlist!r} được duyệt; "
                                     "hãy duyệt trước"},
    "play_now_one_end": {"en": "give until (a time) or duration (e.g. 2h), one of them",
                         "vi": "hãy ghi until (một thời điểm) hoặc duration (ví dụ 2h), chỉ một"},
    "play_now_too_long": {"en": "is more than 7 days away; for longer, add a rule to the schedule",
                          "vi": "xa hơn 7 ngày; muốn lâu hơn, hãy thêm quy tắc vào lịch"},
    # the console's rules editor (signage.services.schedule_rules)
    "schedule_changed": {"en": "the live schedule changed (now revision {live}) since you opened "
                               "the page; reload it and make the change again",
                         "vi": "lịch đang chạy đã thay đổi (nay là phiên bản {live}) từ khi bạn mở "
                               "trang; hãy tải lại trang và sửa lại"},
    "default_needed": {"en": "no schedule is live yet; choose the playlist that plays when no "
                             "rule applies",
                       "vi": "chưa có lịch nào đang chạy; hãy chọn danh sách phát mặc định khi "
                             "không có quy tắc nào áp dụng"},
    "rule_not_found": {"en": "the live schedule has no rule named {name!r}",
                       "vi": "lịch đang chạy không có quy tắc nào tên {name!r}"},
}

# Words for where a problem is, so human text says "item 1" (paths stay items[0]).
_LIST_WORDS = {
    "items": {"en": "item", "vi": "mục"},
    "layout": {"en": "zone", "vi": "vùng"},
    "rules": {"en": "rule", "vi": "quy tắc"},
    "power": {"en": "power window", "vi": "khung giờ tắt"},
    "zones": {"en": "clock zone", "vi": "múi giờ"},
}
_DOCUMENT = {"en": "(document)", "vi": "(tài liệu)"}
_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """'vi' when the locale is Vietnamese (LC_ALL, LC_MESSAGES, then LANG), else 'en'."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def say(code: str, params: Mapping | None, lang: str, fallback: str) -> str:
    """The sentence for `code` in `lang` with `params`; `fallback` (the English reason the
    problem carries) when the table lacks the code or the params do not fill it."""
    params = dict(params or {})
    for key in (f"{code}/{params.get('mistake')}", code):
        template = CATALOGUE.get(key, {}).get(lang)
        if template is not None:
            try:
                return template.format(**params)
            except (KeyError, IndexError, ValueError):
                break
    return fallback


def where(path: str, lang: str) -> str:
    """'layout[0].items[2].text.vi' -> 'zone 1 › item 3 › text.vi' (counted from 1)."""
    if path in ("", "(document)"):
        return _DOCUMENT.get(lang, _DOCUMENT["en"])
    segments: list[list[str]] = [[]]
    for name, index in _PART.findall(path):
        if name:
            segments[-1].append(name)
            continue
        listed = segments[-1].pop() if segments[-1] else ""
        word = _LIST_WORDS.get(listed, {}).get(lang, listed)
        segments[-1].append(f"{word} {int(index) + 1}".strip())
        segments.append([])
    return " › ".join(".".join(parts) for parts in segments if parts)


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses (for tests that both languages agree)."""
    return {name.split("!")[0].split(":")[0] for _, name, _, _ in string.Formatter().parse(template)
            if name}
