"""What demo residents write and what units answer, per category, plus the reasons and
comments of every other step. Answers are concrete on purpose: the proof gate
(reports/proof.py) refuses stock phrases."""

from __future__ import annotations

from datetime import datetime

# Per category, cases as (title, description, answers): what a resident writes ({place},
# {hour}, {days}) and what the unit answers ({place}, {date}, {time}, {n} a small count,
# {m} a measure, {xa} "phường"/"xã"). Answers are concrete on purpose: the proof gate
# (reports/proof.py) refuses stock phrases.
Case = tuple[str, str, tuple[str, ...]]
CASES: dict[str, list[Case]] = {
    "o-nhiem-moi-truong": [
        (
            "Đốt rác gây khói bụi vào khu dân cư",
            "Khoảng {hour} giờ hằng ngày có người đốt rác, lá cây ở {place}, khói bay vào nhà dân, trẻ nhỏ và người già bị ho. Đề nghị kiểm tra, xử lý.",
            (
                "Ngày {date}, tổ công tác {xa} đã kiểm tra tại {place}, lập biên bản hộ đốt rác, yêu cầu cam kết không tái phạm và đặt {n} thùng thu gom lá cây; dân phòng tuần tra buổi chiều trong 2 tuần.",
                "Lúc {time} ngày {date}, tổ công tác {xa} đã dập tắt đống rác đang cháy tại {place}, xử phạt người đốt 500 nghìn đồng và gắn biển cấm đốt rác ở {n} vị trí.",
            ),
        ),
        (
            "Nước thải chảy tràn ra mặt đường, bốc mùi",
            "Nước thải từ các hộ kinh doanh ở {place} xả thẳng ra rãnh, tràn lên mặt đường, mùi hôi nồng nặc, nhất là lúc trời nắng.",
            (
                "Lúc {time} ngày {date}, đơn vị đã nạo vét {m} m rãnh thoát nước tại {place}, thông tắc cửa thu và yêu cầu {n} hộ kinh doanh lắp bể tách mỡ trước khi xả thải.",
            ),
        ),
        (
            "Xưởng sản xuất gây tiếng ồn về đêm",
            "Xưởng cơ khí ở {place} hoạt động đến 23 giờ, tiếng máy cắt, máy mài rất lớn, {days} hôm nay người dân không ngủ được.",
            (
                "Ngày {date}, đoàn kiểm tra đo độ ồn tại xưởng ở {place} được 78 dBA, vượt quy chuẩn; đã xử phạt {n} triệu đồng và yêu cầu dừng máy sau 22 giờ.",
            ),
        ),
        (
            "Công trình xây dựng không che chắn, bụi mù mịt",
            "Công trình xây dựng tại {place} không che chắn, xe chở vật liệu không phủ bạt, bụi phủ kín nhà dân hai bên đường.",
            (
                "Chủ đầu tư công trình tại {place} đã bị lập biên bản ngày {date}, lắp lưới che chắn {m} m mặt tiền và bố trí cầu rửa xe trước cổng công trường.",
            ),
        ),
        (
            "Mùi hôi thối từ cống thoát nước",
            "Cống ở {place} bốc mùi hôi thối {days} ngày nay, ruồi muỗi nhiều, các hộ gần đó phải đóng cửa cả ngày.",
            (
                "Ngày {date}, công ty thoát nước đã hút bùn {m} m cống tại {place}, lắp {n} nắp ngăn mùi cho hố ga và phun thuốc diệt muỗi quanh khu vực.",
            ),
        ),
    ],
    "rac-thai-ve-sinh": [
        (
            "Rác thải tồn đọng nhiều ngày ở đầu ngõ",
            "Rác ở {place} đã {days} ngày chưa được thu gom, túi rác chất thành đống, ruồi nhặng nhiều, mùi hôi ảnh hưởng các hộ xung quanh.",
            (
                "Sáng {date}, tổ vệ sinh môi trường đã thu gom {n} xe rác tồn đọng tại {place}, phun chế phẩm khử mùi và đặt biển cấm đổ rác; xe thu gom qua điểm này lúc 18 giờ hằng ngày.",
                "Lúc {time} ngày {date}, đã thu gom hết rác tại {place}, rửa mặt đường và điều chỉnh lịch xe thu gom qua ngõ vào 6 giờ và 18 giờ.",
            ),
        ),
        (
            "Đổ trộm phế thải xây dựng ra vỉa hè",
            "Đêm qua có xe ba gác đổ trộm khoảng 2 khối phế thải xây dựng ra {place}, lấn hết lối đi, người đi bộ phải xuống lòng đường.",
            (
                "Ngày {date}, {xa} phối hợp URENCO bốc xúc {m} m³ phế thải tại {place}, trả lại lối đi cho người đi bộ; camera của tổ dân phố đã hướng về điểm này để phát hiện xe đổ trộm.",
            ),
        ),
        (
            "Điểm tập kết rác tự phát gây mất vệ sinh",
            "Người dân vứt rác bừa bãi thành điểm tập kết tự phát tại {place}, sáng nào cũng bốc mùi, đề nghị dọn dẹp và có biện pháp ngăn chặn.",
            (
                "Lúc {time} ngày {date}, đã xóa điểm tập kết rác tự phát tại {place}, đặt bồn hoa ở vị trí cũ và thông báo lịch thu gom cho {m} hộ dân xung quanh.",
            ),
        ),
        (
            "Thùng rác đầy tràn không được thu gom",
            "Thùng rác công cộng ở {place} đầy tràn từ mấy hôm nay, chó mèo bới rác vương vãi ra đường.",
            (
                "Ngày {date}, đã thay {n} thùng rác mới có nắp tại {place} và tăng tần suất thu gom lên 2 lần mỗi ngày vào 6 giờ và 18 giờ.",
            ),
        ),
    ],
    "ha-tang-giao-thong": [
        (
            "Ổ gà lớn giữa đường gây nguy hiểm",
            "Tại {place} có ổ gà rộng khoảng 1 m, sâu 15 cm, trời mưa đọng nước không nhìn thấy, đã có người đi xe máy bị ngã.",
            (
                "Ngày {date}, đơn vị duy tu đã vá {m} m² ổ gà tại {place} bằng bê tông nhựa nóng, lu lèn và thu dọn mặt bằng lúc {time}; phương tiện đã đi lại bình thường.",
            ),
        ),
        (
            "Mặt đường sụt lún sau mưa",
            "Sau trận mưa lớn, mặt đường ở {place} bị sụt lún một đoạn dài khoảng 5 m, xe tải đi qua rất nguy hiểm.",
            (
                "Ngày {date}, đơn vị duy tu đã rào chắn, đào bỏ lớp nền yếu và thảm lại {m} m² mặt đường tại {place}; thông xe lúc {time}.",
            ),
        ),
        (
            "Nắp cống bị vỡ, hở miệng cống",
            "Nắp cống ở {place} bị vỡ một nửa, miệng cống hở ngay lối đi của học sinh, rất dễ sụt chân.",
            (
                "Lúc {time} ngày {date}, đã thay nắp cống gang mới tại {place}, kiểm tra {n} hố ga lân cận và gia cố lại 2 nắp bị lún.",
            ),
        ),
        (
            "Rào chắn đào đường để lâu không hoàn trả",
            "Đơn vị thi công đào đường ở {place} đã hơn 1 tháng, rào tôn để nguyên, không hoàn trả mặt đường, gây ùn tắc giờ cao điểm.",
            (
                "Đã yêu cầu nhà thầu hoàn trả mặt đường tại {place}; ngày {date} nhà thầu thảm lại {m} m² và tháo dỡ toàn bộ rào chắn.",
            ),
        ),
        (
            "Vỉa hè bong tróc, gạch lát vỡ nhiều",
            "Gạch lát vỉa hè ở {place} vỡ, bập bênh cả đoạn dài, người già đi bộ đã bị vấp ngã.",
            (
                "Ngày {date}, đơn vị đã lát lại {m} m² gạch vỉa hè bị vỡ tại {place} và chèn lại {n} m bó vỉa.",
            ),
        ),
    ],
    "den-tin-hieu-bien-bao": [
        (
            "Đèn tín hiệu giao thông bị tắt",
            "Cụm đèn tín hiệu tại {place} bị tắt từ sáng, các phương tiện đi lộn xộn, rất nguy hiểm vào giờ cao điểm.",
            (
                "Lúc {time} ngày {date}, đội quản lý đèn tín hiệu đã thay bo mạch điều khiển tại {place}, kiểm tra {n} cột đèn và đưa cụm đèn hoạt động trở lại.",
            ),
        ),
        (
            "Đèn đỏ hoạt động sai chu kỳ",
            "Đèn xanh hướng đi thẳng tại {place} chỉ sáng khoảng 5 giây, xe xếp hàng rất dài, đề nghị kiểm tra lại chu kỳ đèn.",
            (
                "Ngày {date}, đã điều chỉnh chu kỳ đèn tại {place}: pha xanh hướng đi thẳng tăng từ 5 lên {m} giây giờ cao điểm, theo dõi thực tế 2 buổi sau điều chỉnh.",
            ),
        ),
        (
            "Biển báo bị cây che khuất",
            "Biển cấm rẽ trái tại {place} bị cành cây che khuất, nhiều người không thấy và bị xử phạt.",
            (
                "Ngày {date}, đã cắt tỉa cành cây che biển báo tại {place} và lắp thêm {n} biển nhắc lại cách đó 30 m.",
            ),
        ),
        (
            "Biển báo bị đổ sau gió lớn",
            "Biển báo tại {place} bị đổ nghiêng sau trận gió tối qua, có nguy cơ rơi vào người đi đường.",
            (
                "Đã dựng lại và gia cố chân biển báo tại {place} lúc {time} ngày {date}, thay {n} bu lông neo bị gỉ.",
            ),
        ),
        (
            "Vạch sơn kẻ đường bị mờ",
            "Vạch đi bộ qua đường tại {place} mờ hẳn, buổi tối lái xe không nhìn thấy, học sinh qua đường rất nguy hiểm.",
            (
                "Ngày {date}, đã sơn lại {m} m² vạch đi bộ và vạch dừng xe tại {place} bằng sơn phản quang.",
            ),
        ),
    ],
    "un-tac-giao-thong": [
        (
            "Ùn tắc kéo dài giờ cao điểm",
            "Khoảng 17 giờ 30 hằng ngày, {place} ùn tắc kéo dài hơn 1 km, xe máy leo lên vỉa hè, không có lực lượng điều tiết.",
            (
                "Từ ngày {date}, Đội CSGT bố trí {n} cán bộ điều tiết tại {place} từ 16 giờ 30 đến 19 giờ và đã xử lý 12 trường hợp đi lên vỉa hè.",
            ),
        ),
        (
            "Ô tô đỗ dưới lòng đường gây ùn tắc",
            "Ô tô đỗ hai bên đường tại {place}, lòng đường chỉ còn một làn, xe buýt không đi qua được.",
            (
                "Ngày {date}, CSGT đã lập biên bản {n} ô tô đỗ sai quy định tại {place}, cẩu kéo 3 xe về bãi tạm giữ và kẻ vạch cấm dừng đỗ dài {m} m.",
            ),
        ),
        (
            "Tắc đường trước cổng trường giờ tan học",
            "Giờ tan học, phụ huynh dừng đỗ đón con tràn ra lòng đường trước {place}, ùn tắc kéo dài 30 phút.",
            (
                "Đã phối hợp nhà trường tại {place} cho xe đón trả học sinh vào sân trường từ ngày {date}, bố trí {n} cán bộ hướng dẫn giờ tan học.",
            ),
        ),
    ],
    "trat-tu-do-thi": [
        (
            "Lấn chiếm vỉa hè để kinh doanh",
            "Các quán ăn tại {place} bày bàn ghế kín vỉa hè từ 17 giờ, người đi bộ phải xuống lòng đường.",
            (
                "Ngày {date}, tổ trật tự đô thị đã lập biên bản {n} hộ kinh doanh lấn chiếm vỉa hè tại {place}, thu giữ {m} bộ bàn ghế và kẻ vạch phân định phần hè cho người đi bộ.",
                "Tối {date}, tổ trật tự đô thị {xa} đã ra quân tại {place}, yêu cầu {n} quán thu dọn bàn ghế, xử phạt 2 hộ tái phạm và duy trì chốt kiểm tra từ 17 giờ đến 21 giờ.",
            ),
        ),
        (
            "Xây dựng trái phép trên đất công",
            "Một hộ dân ở {place} đang xây tường bao, đổ mái lấn ra phần đất công, làm cả ban đêm.",
            (
                "Lúc {time} ngày {date}, đã đình chỉ thi công công trình tại {place} và lập biên bản vi phạm; chủ hộ đã tự tháo dỡ {m} m² tường xây lấn đất công.",
            ),
        ),
        (
            "Biển quảng cáo sai phép che lối thoát hiểm",
            "Biển quảng cáo cỡ lớn tại {place} mới dựng, che kín cửa sổ và lối thoát hiểm của nhà bên cạnh.",
            (
                "Ngày {date}, đã yêu cầu tháo dỡ biển quảng cáo không phép tại {place}; đơn vị quảng cáo tháo xong lúc {time}, lối thoát hiểm đã thông thoáng.",
            ),
        ),
        (
            "Trông giữ xe trái phép chiếm hết vỉa hè",
            "Điểm trông giữ xe tự phát ở {place} chiếm toàn bộ vỉa hè, thu phí cao hơn quy định.",
            (
                "Đã giải tỏa điểm trông giữ xe trái phép tại {place} ngày {date}, xử phạt chủ điểm {n} triệu đồng và trả lại {m} m² vỉa hè.",
            ),
        ),
        (
            "Dựng mái che, mái vẩy lấn ra hè phố",
            "Các cửa hàng ở {place} dựng mái tôn lấn ra hè phố gần 2 m, trời mưa nước xối thẳng xuống người đi bộ.",
            (
                "Ngày {date}, {n} hộ tại {place} đã tháo dỡ mái che lấn chiếm dưới sự giám sát của tổ trật tự đô thị {xa}.",
            ),
        ),
    ],
    "an-ninh-trat-tu": [
        (
            "Nhóm thanh niên tụ tập gây ồn ào về đêm",
            "Từ 22 giờ đến 1 giờ sáng, một nhóm thanh niên tụ tập tại {place} nẹt pô, chửi bậy, người dân không dám nhắc nhở.",
            (
                "Đêm {date}, Công an {xa} đã tuần tra tại {place}, giải tán nhóm {n} thanh niên tụ tập và lập biên bản 2 trường hợp nẹt pô; tổ tuần tra duy trì 3 đêm mỗi tuần.",
            ),
        ),
        (
            "Hát karaoke gây ồn quá giờ quy định",
            "Hộ gia đình tại {place} hát karaoke loa kéo đến gần nửa đêm, đã nhắc nhở nhiều lần nhưng không chấp hành.",
            (
                "Ngày {date}, Công an {xa} đã mời chủ hộ tại {place} lên làm việc, xử phạt {n} triệu đồng về hành vi gây ồn sau 22 giờ; chủ hộ đã cam kết không tái phạm.",
            ),
        ),
        (
            "Đua xe, lạng lách vào ban đêm",
            "Tối cuối tuần, nhóm xe máy lạng lách, đua xe trên {place}, rất nguy hiểm cho người đi đường.",
            (
                "Từ ngày {date}, tổ công tác chốt chặn tại {place} các tối cuối tuần và đã tạm giữ {n} xe máy có hành vi lạng lách.",
            ),
        ),
        (
            "Người say rượu gây rối trước cửa hàng",
            "Một người say rượu thường xuyên la hét, đập phá đồ đạc trước cửa hàng ở {place} vào buổi tối.",
            (
                "Lúc {time} ngày {date}, Công an {xa} đã đưa người gây rối tại {place} về trụ sở, lập biên bản và mời gia đình đến nhận, cam kết quản lý.",
            ),
        ),
    ],
    "nguy-co-chay-no": [
        (
            "Dây điện chằng chịt có nguy cơ chập cháy",
            "Cột điện tại {place} có bó dây điện, cáp viễn thông chằng chịt, đêm qua có tia lửa điện, người dân rất lo cháy.",
            (
                "Lúc {time} ngày {date}, tổ công tác PCCC đã kiểm tra {place}, phối hợp điện lực bó gọn {m} sợi cáp và thay {n} đầu nối bị cháy sém.",
            ),
        ),
        (
            "Kho hàng chứa hóa chất trong khu dân cư",
            "Một kho hàng tại {place} chứa nhiều thùng sơn, dung môi, nằm sát nhà dân, không thấy bình chữa cháy.",
            (
                "Ngày {date}, đã kiểm tra kho hàng tại {place}, lập biên bản vì không có thiết bị chữa cháy và giám sát việc di dời {m} thùng dung môi ra khỏi khu dân cư.",
            ),
        ),
        (
            "Ngửi thấy mùi gas nồng nặc",
            "Khu vực {place} có mùi gas nồng nặc từ chiều, nghi rò rỉ từ cửa hàng bán gas gần đó.",
            (
                "Cảnh sát PCCC có mặt tại {place} lúc {time} ngày {date}, khóa van, thay ống dẫn gas bị rò ở cửa hàng; đo nồng độ khí sau xử lý ở mức an toàn.",
            ),
        ),
        (
            "Lối thoát hiểm chung cư bị khóa",
            "Cửa thoát hiểm tầng 1 tòa nhà tại {place} bị khóa bằng xích, hành lang chất đầy đồ đạc.",
            (
                "Ngày {date}, ban quản lý tòa nhà tại {place} đã mở khóa lối thoát hiểm và dọn {n} m³ đồ đạc ở hành lang; tổ PCCC kiểm tra lại lúc {time}.",
            ),
        ),
    ],
    "an-toan-thuc-pham": [
        (
            "Quán ăn mất vệ sinh, thực phẩm không rõ nguồn gốc",
            "Quán ăn tại {place} để thịt, rau sống dưới đất, nước rửa bát xả ra đường, nhân viên không đeo găng tay.",
            (
                "Ngày {date}, đoàn kiểm tra an toàn thực phẩm đã kiểm tra quán ăn tại {place}, lấy {n} mẫu xét nghiệm, xử phạt 6 triệu đồng và yêu cầu dừng kinh doanh đến khi khắc phục.",
                "Đã làm việc với quán ăn tại {place} ngày {date}, tiêu hủy {m} kg thịt không rõ nguồn gốc và yêu cầu xuất trình hóa đơn nhập hàng trong 3 ngày.",
            ),
        ),
        (
            "Nghi ngộ độc thực phẩm sau bữa ăn",
            "Gia đình tôi 4 người bị đau bụng, nôn sau khi ăn bánh mì mua ở {place} chiều qua.",
            (
                "Ngày {date}, trung tâm y tế đã lấy {n} mẫu bánh mì và pa tê tại cơ sở ở {place} để xét nghiệm, tạm dừng bán hàng và hướng dẫn gia đình theo dõi sức khỏe.",
            ),
        ),
        (
            "Hàng rong bán thực phẩm không đảm bảo vệ sinh",
            "Xe hàng rong bán đồ ăn ở {place} dùng dầu chiên đen kịt, thực phẩm không che đậy.",
            (
                "Ngày {date}, trạm y tế {xa} đã nhắc nhở và lập biên bản {n} xe hàng rong tại {place}, thu hủy dầu chiên đã qua sử dụng nhiều lần.",
            ),
        ),
        (
            "Giết mổ gia cầm trái phép trên vỉa hè",
            "Một cơ sở tại {place} giết mổ gà vịt ngay trên vỉa hè từ 4 giờ sáng, lông và tiết chảy ra rãnh.",
            (
                "Lúc {time} ngày {date}, đã đình chỉ hoạt động giết mổ không phép tại {place}, thu dọn và khử trùng khu vực {m} m².",
            ),
        ),
    ],
    "phong-chong-toi-pham": [
        (
            "Trộm cắp xe máy xảy ra nhiều lần",
            "Trong tháng này đã có 3 xe máy bị mất trộm tại {place}, kẻ gian thường ra tay vào buổi trưa.",
            (
                "Từ ngày {date}, Công an {xa} bố trí tổ tuần tra {n} người tại {place} vào buổi trưa và lắp thêm camera an ninh ở lối ra vào; người dân phát hiện đối tượng nghi vấn gọi 113.",
            ),
        ),
        (
            "Nghi có tụ điểm sử dụng ma túy",
            "Khu vực {place} về đêm có nhiều đối tượng lạ ra vào, phát hiện bơm kim tiêm vứt ở góc tường.",
            (
                "Ngày {date}, Công an đã kiểm tra hành chính khu vực {place}, phát hiện {n} đối tượng sử dụng trái phép chất ma túy, lập hồ sơ đưa đi cai nghiện và thu dọn bơm kim tiêm.",
            ),
        ),
        (
            "Giật túi xách trên đường",
            "Tối qua tôi bị hai thanh niên đi xe máy giật túi xách tại {place}, đề nghị tăng cường tuần tra.",
            (
                "Đã xác minh vụ giật túi xách tại {place}, trích xuất camera lúc {time} ngày {date} và chuyển hồ sơ cho Đội điều tra; tổ tuần tra tăng thêm {n} lượt mỗi tối.",
            ),
        ),
        (
            "Đối tượng lạ dò xét nhà dân",
            "Mấy hôm nay có người lạ đi xe không biển số dò xét các nhà ở {place} vào giờ hành chính.",
            (
                "Ngày {date}, Công an {xa} đã xác minh và làm việc với {n} người đi xe không biển số tại {place}; tổ dân phố được hướng dẫn lập nhóm báo tin an ninh.",
            ),
        ),
    ],
    "an-sinh-xa-hoi": [
        (
            "Người vô gia cư ngủ ngoài đường trong đêm rét",
            "Có một cụ già khoảng 70 tuổi ngủ ở mái hiên {place} mấy đêm nay, trời rét, không có chăn.",
            (
                "Tối {date}, tổ công tác xã hội {xa} đã đưa cụ ông ở {place} về Trung tâm bảo trợ xã hội, cấp chăn ấm và liên hệ được người thân sau {n} ngày.",
            ),
        ),
        (
            "Người cao tuổi neo đơn cần hỗ trợ",
            "Bà cụ sống một mình tại {place}, ốm đau, không có người chăm sóc, hàng xóm thỉnh thoảng mang cơm sang.",
            (
                "Ngày {date}, cán bộ lao động – xã hội đã thăm cụ bà tại {place}, lập hồ sơ trợ cấp người cao tuổi neo đơn và phân công hội phụ nữ thăm hỏi {n} lần mỗi tuần.",
            ),
        ),
        (
            "Trẻ em lang thang xin tiền",
            "Có {days} trẻ nhỏ đi xin tiền ở {place} đến tận đêm, không có người lớn đi cùng.",
            (
                "Ngày {date}, {xa} phối hợp công an đưa {n} trẻ ở {place} về bàn giao gia đình, lập biên bản cam kết với cha mẹ và đưa các cháu vào diện theo dõi.",
            ),
        ),
        (
            "Chậm chi trả trợ cấp xã hội",
            "Hai tháng nay tôi chưa nhận được trợ cấp người khuyết tật, đã hỏi ở bộ phận một cửa nhưng chưa có trả lời.",
            (
                "Đã rà soát hồ sơ: khoản trợ cấp bị trả về do sai số tài khoản; ngày {date} đã chi trả bổ sung {n} tháng trợ cấp vào tài khoản đúng của người dân.",
            ),
        ),
    ],
    "dich-vu-cong-thu-tuc": [
        (
            "Hồ sơ đăng ký khai sinh quá hẹn trả kết quả",
            "Tôi nộp hồ sơ đăng ký khai sinh cho con tại bộ phận một cửa đã {days} ngày, quá hẹn trả kết quả mà chưa nhận được.",
            (
                "Ngày {date}, bộ phận một cửa đã trả giấy khai sinh cho công dân và xin lỗi vì chậm {n} ngày do lỗi đồng bộ dữ liệu dân cư; đã rà soát lại toàn bộ hồ sơ tồn.",
            ),
        ),
        (
            "Bộ phận một cửa đông, chờ quá lâu",
            "Sáng nay tôi chờ ở bộ phận một cửa từ 8 giờ đến 11 giờ vẫn chưa đến lượt, chỉ có 1 quầy làm việc.",
            (
                "Từ ngày {date}, bộ phận một cửa mở thêm {n} quầy buổi sáng và phát số thứ tự qua ứng dụng; thời gian chờ trung bình giảm còn {m} phút.",
            ),
        ),
        (
            "Yêu cầu nộp giấy tờ không có trong quy định",
            "Khi làm thủ tục chứng thực, cán bộ yêu cầu bản photo công chứng sổ hộ khẩu dù sổ hộ khẩu đã bỏ.",
            (
                "Đã kiểm điểm cán bộ yêu cầu giấy tờ sai quy định; ngày {date} công dân được chứng thực không cần bổ sung giấy tờ, danh mục hồ sơ được niêm yết lại ở {n} quầy.",
            ),
        ),
        (
            "Hồ sơ chứng thực bị trả lại nhiều lần",
            "Hồ sơ chứng thực hợp đồng của tôi bị trả lại {days} lần, mỗi lần yêu cầu bổ sung một giấy tờ khác nhau.",
            (
                "Ngày {date}, lãnh đạo {xa} đã làm việc trực tiếp với công dân, hướng dẫn một lần đủ hồ sơ và trả kết quả chứng thực lúc {time} cùng ngày.",
            ),
        ),
    ],
    "dien-nuoc-chieu-sang": [
        (
            "Đèn chiếu sáng công cộng không sáng",
            "Cả dãy đèn đường tại {place} không sáng gần {days} ngày, buổi tối rất tối, đã có người bị giật túi.",
            (
                "Ngày {date}, đơn vị quản lý chiếu sáng đã thay {n} bóng LED và 1 tủ điều khiển tại {place}; lúc {time} toàn tuyến đã sáng trở lại.",
            ),
        ),
        (
            "Mất nước sinh hoạt kéo dài",
            "Khu vực {place} mất nước {days} ngày nay, không có thông báo, người dân phải mua nước bình để dùng.",
            (
                "Ngày {date}, công ty nước sạch đã sửa van tổng tại {place}, cấp nước trở lại lúc {time} và bố trí {n} xe téc cấp nước tạm trong thời gian sửa chữa.",
            ),
        ),
        (
            "Vỡ ống nước, nước chảy lênh láng",
            "Ống nước tại {place} bị vỡ, nước chảy thành dòng ra đường từ sáng, lãng phí và làm hỏng mặt đường.",
            (
                "Lúc {time} ngày {date}, đã khóa van và thay {m} m ống HDPE bị vỡ tại {place}, hoàn trả mặt đường bằng bê tông.",
            ),
        ),
        (
            "Dây điện võng thấp sát đầu người",
            "Dây điện tại {place} bị võng xuống thấp, xe tải đi qua có thể vướng, rất nguy hiểm.",
            (
                "Điện lực đã căng lại dây và nâng độ cao lên 5,5 m tại {place} ngày {date}, bổ sung {n} cột đỡ trung gian.",
            ),
        ),
        (
            "Đèn đường sáng cả ban ngày",
            "Đèn đường ở {place} sáng cả ban ngày suốt {days} hôm nay, rất lãng phí điện.",
            (
                "Ngày {date}, đã thay rơ-le thời gian của tủ điện chiếu sáng tại {place}; đèn bật lúc 18 giờ và tắt lúc 5 giờ 30 như lịch vận hành.",
            ),
        ),
    ],
    "cay-xanh-cong-vien": [
        (
            "Cây xanh có nguy cơ gãy đổ",
            "Cây sấu trước {place} bị mục gốc, thân nghiêng hẳn ra đường, mùa mưa bão rất dễ đổ vào người đi đường.",
            (
                "Ngày {date}, công ty cây xanh đã kiểm tra cây sấu tại {place}, hạ {n} cành nghiêng ra đường, chống đỡ thân cây bằng 3 cọc và đưa vào danh sách thay thế.",
            ),
        ),
        (
            "Cành cây gãy treo trên dây điện",
            "Một cành cây lớn tại {place} bị gãy, treo lơ lửng trên dây điện sau trận mưa chiều qua.",
            (
                "Lúc {time} ngày {date}, đội cây xanh đã cắt dỡ cành gãy tại {place}, phối hợp điện lực kiểm tra đường dây và thu dọn {n} xe cành lá.",
            ),
        ),
        (
            "Cây đổ sau mưa chưa được dọn",
            "Cây đổ chắn ngang {place} từ đêm qua, chưa có ai đến dọn, xe máy phải đi vòng.",
            (
                "Đã cưa và chở đi toàn bộ cây đổ tại {place} lúc {time} ngày {date}, trồng cây mới và rào bảo vệ {n} m².",
            ),
        ),
        (
            "Vườn hoa xuống cấp, ghế đá bị vỡ",
            "Khu vui chơi trong vườn hoa tại {place} có nhiều ghế đá vỡ, cầu trượt gãy, trẻ em chơi rất nguy hiểm.",
            (
                "Ngày {date}, đã thay {n} ghế đá, tháo dỡ cầu trượt hỏng tại {place} và đặt biển tạm dừng khu vui chơi đến khi lắp thiết bị mới.",
            ),
        ),
        (
            "Cây xanh che khuất đèn đường",
            "Tán cây ở {place} rậm rạp che kín đèn đường, buổi tối cả đoạn tối om.",
            (
                "Ngày {date}, đội cây xanh đã cắt tỉa tán {n} cây tại {place}, trả lại chiếu sáng cho {m} m đường.",
            ),
        ),
    ],
    "khac": [
        (
            "Ô tô bỏ không nhiều tháng trên vỉa hè",
            "Chiếc ô tô cũ không biển số bỏ ở {place} hơn 3 tháng, phủ đầy rác và bụi.",
            (
                "Ngày {date}, Công an {xa} đã xác minh chủ ô tô bỏ tại {place}, yêu cầu di dời; chủ xe kéo xe đi lúc {time}, trả lại {m} m² vỉa hè.",
            ),
        ),
        (
            "Chó thả rông không rọ mõm",
            "Nhiều hộ ở {place} thả chó ra đường không rọ mõm, đã có trẻ em bị chó đuổi cắn.",
            (
                "Đã tuyên truyền đến {m} hộ nuôi chó tại {place}, lập biên bản {n} hộ thả rông chó không rọ mõm ngày {date} và phối hợp thú y tiêm phòng dại.",
            ),
        ),
        (
            "Loa phát thanh quá to vào sáng sớm",
            "Loa phát thanh tại {place} bật từ 6 giờ sáng với âm lượng rất to, kéo dài 1 tiếng.",
            (
                "Từ ngày {date}, loa phát thanh tại {place} được chỉnh hướng, giảm âm lượng và chuyển giờ phát sang 6 giờ 30, mỗi lần không quá {m} phút.",
            ),
        ),
        (
            "Quảng cáo dán, sơn bậy lên tường nhà dân",
            "Tường nhà dân và cột điện ở {place} bị dán, sơn quảng cáo khoan cắt bê tông, thông tắc cống.",
            (
                "Ngày {date}, đoàn thanh niên {xa} đã sơn lại {m} m² tường và cột điện bị vẽ bậy tại {place}, đề nghị nhà mạng khóa {n} số điện thoại quảng cáo.",
            ),
        ),
    ],
}

# Reports that are not reports: refused as spam, with the reason the resident sees.
SPAM = [
    (
        "Vay tiền nhanh không cần thế chấp",
        "Hỗ trợ vay tiền nhanh trong ngày, lãi suất thấp, chỉ cần căn cước, liên hệ Zalo.",
        "Nội dung quảng cáo dịch vụ cho vay, không phải phản ánh hiện trường.",
    ),
    (
        "Test",
        "Thử gửi phản ánh xem ứng dụng có hoạt động không.",
        "Phản ánh gửi thử, không có nội dung sự việc.",
    ),
    (
        "Hỏi lịch tiêm phòng cho trẻ",
        "Cho tôi hỏi lịch tiêm chủng mở rộng tháng này ở trạm y tế là ngày nào?",
        "Nội dung là câu hỏi, không phải phản ánh hiện trường; đề nghị liên hệ trực tiếp trạm y tế để được giải đáp.",
    ),
    (
        "Hàng xóm nói xấu gia đình tôi",
        "Nhà bên cạnh thường xuyên nói xấu, bịa đặt chuyện gia đình tôi với tổ dân phố.",
        "Mâu thuẫn cá nhân giữa các hộ gia đình, không thuộc phạm vi phản ánh hiện trường; đề nghị liên hệ tổ hòa giải ở cơ sở.",
    ),
    (
        "Tranh chấp ranh giới đất với nhà bên cạnh",
        "Nhà bên cạnh xây tường lấn sang đất nhà tôi 20 cm, đã hòa giải ở tổ dân phố không thành.",
        "Tranh chấp đất đai giữa các hộ giải quyết theo thủ tục hòa giải và tòa án, không thuộc phạm vi tiếp nhận phản ánh hiện trường.",
    ),
    ("abc", "abc xyz", "Nội dung không có thông tin về sự việc và địa điểm."),
]
# Reports that looked real but were not there when the unit went to see.
NOT_FOUND_REASONS = [
    "Tổ công tác đã kiểm tra thực tế tại {place} ngày {date}, không có sự việc như nội dung phản ánh.",
    "Ảnh gửi kèm không chụp tại địa điểm phản ánh (ảnh lấy từ mạng); tổ công tác kiểm tra tại {place} ngày {date} không thấy sự việc.",
]

REOPEN_COMMENTS = [
    "Tình trạng vẫn như cũ, chỉ xử lý được một hôm rồi đâu lại vào đấy.",
    "Ảnh kết quả không phải vị trí tôi phản ánh, đề nghị kiểm tra lại đúng địa điểm.",
    "Mới xử lý một phần, phía cuối ngõ vẫn chưa làm.",
    "Sau 2 ngày lại tái diễn, đề nghị có biện pháp xử lý triệt để.",
    "Trả lời chung chung, không nói rõ đã làm gì và khi nào làm.",
    "Tôi ra kiểm tra thì vẫn chưa thấy ai đến làm.",
    "Chỉ nhắc nhở qua loa, tối hôm sau vẫn y như cũ.",
]
SATISFIED_COMMENTS = [
    "Cảm ơn các anh chị đã xử lý nhanh.",
    "Đã sạch sẽ, thông thoáng, cảm ơn đơn vị.",
    "Xử lý tốt, mong duy trì thường xuyên.",
    "Hài lòng, cảm ơn.",
    "Cảm ơn cán bộ đã đến tận nơi kiểm tra.",
]
RETURN_REASONS = {
    "ward": [
        "Tuyến đường do Sở quản lý, {xa} không có thẩm quyền sửa chữa; đề nghị chuyển đơn vị quản lý tuyến.",
        "Nội dung liên quan đến doanh nghiệp cung cấp dịch vụ, không thuộc thẩm quyền của {xa}.",
        "Cần lực lượng chuyên ngành và phương tiện chuyên dụng, {xa} không có chuyên môn xử lý.",
    ],
    "department": [
        "Theo phân cấp, nội dung này do UBND cấp xã quản lý và xử lý, đề nghị chuyển về địa phương.",
        "Vụ việc nhỏ lẻ trong khu dân cư, đề nghị chuyển UBND phường, xã sở tại xử lý.",
        "Địa điểm không thuộc tuyến, công trình do đơn vị quản lý; đề nghị điều phối chuyển đúng đơn vị.",
    ],
}
TRANSFER_REASONS = [
    "Nội dung thuộc chức năng của {target}, chuyển để xử lý theo thẩm quyền.",
    "Cần {target} xử lý theo phân cấp quản lý, đơn vị đã trao đổi trước qua điện thoại.",
]
REROUTE_NOTES = [
    "Chuyển {target} xử lý theo thẩm quyền.",
    "Điều phối: giao {target} kiểm tra, xử lý.",
]
EXTENSION_REASONS = [
    "Cần chờ nhà cung cấp giao vật tư thay thế, dự kiến 3 ngày làm việc.",
    "Phải phối hợp với điện lực cắt điện khu vực để thi công an toàn, lịch cắt điện vào cuối tuần.",
    "Khối lượng lớn, cần thuê xe chuyên dụng và xin phép rào chắn thi công.",
    "Chờ kết quả xét nghiệm mẫu, 5 ngày làm việc.",
    "Phải mời chủ hộ vắng nhà lên làm việc, đã gửi giấy mời lần 2.",
]
GRANT_NOTES = [
    "Đồng ý gia hạn, đề nghị hoàn thành đúng hạn mới.",
    "",
    "Đồng ý, báo cáo kết quả ngay khi xong.",
]
REFUSE_NOTES = [
    "Không đồng ý gia hạn: vụ việc đơn giản, yêu cầu xử lý ngay trong hạn.",
    "Không gia hạn; huy động thêm lực lượng của tổ dân phố để xong trong hạn.",
]
ACCEPT_NOTES = [
    "",
    "",
    "",
    "Đã giao tổ dân phố số {n} kiểm tra hiện trường.",
    "Giao cán bộ địa bàn xác minh.",
]
START_NOTES = [
    "",
    "",
    "Tổ công tác đang có mặt tại hiện trường.",
    "Đã liên hệ đơn vị thi công, dự kiến xử lý trong ngày.",
]
FOLLOW_UP_OPENINGS = [
    "Tiếp thu ý kiến của người dân, ",
    "Sau phản hồi chưa hài lòng, đơn vị đã kiểm tra lại: ",
    "Kiểm tra lại theo ý kiến người dân: ",
]
# What a unit adds the second time, so the resident sees more than the first answer again.
FOLLOW_UP_EXTRAS = [
    " Tổ dân phố sẽ kiểm tra hằng ngày trong 2 tuần tới.",
    " Cán bộ địa bàn đã gọi điện cho người phản ánh để cùng xác nhận kết quả tại hiện trường.",
    " Đã lắp camera giám sát hướng vào vị trí này để phát hiện tái phạm.",
    " Lãnh đạo đơn vị đã trực tiếp kiểm tra lại sau khi xử lý.",
]


def fill(template: str, **values: object) -> str:
    return template.format(**values)


def vn_date(moment: datetime) -> str:
    return f"{moment.day}/{moment.month}"


def vn_time(moment: datetime) -> str:
    return f"{moment.hour} giờ {moment.minute:02d}" if moment.minute else f"{moment.hour} giờ"
